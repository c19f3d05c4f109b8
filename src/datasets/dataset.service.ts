import type { Access } from '../identity/access.js';
import { type Actor, actorId } from '../identity/actor.js';
import type { OrgService } from '../identity/org.service.js';
import { newId } from '../identity/tokens.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Database, Db } from '../platform/db/database.js';
import type { DatasetItemRow } from '../platform/db/tables/datasets.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { SecretBox } from '../platform/secrets.js';
import { type Connector, HostedConnector, type Row } from './connector.js';
import type { CsvEncoding } from './csv.js';
import { datasetRepository, type DatasetRow, type DataSourceRow } from './dataset.repository.js';
import { type ByteCheck, binaryCapable, compileByteCheck } from './byte-check.js';
import { type ByteBatch, recordValues } from './csv-bytes.js';
import { batchRows, type OpenedTable, openTable, type TableRow } from './file-source.js';
import { BinaryRowWriter } from './pg-binary.js';
import type { Filter, Order } from './filter.js';
import {
  carryOver,
  createVersionTable,
  dropTable,
  finishVersionTable,
  type CopySink,
  openCopySink,
  rawQuery,
  renameTable,
  scratchTable,
  versionTable,
} from './hosted-store.js';
import { advise } from './advisor.js';
import { type FilePreview, previewFile } from './upload-preview.js';
import { type UploadSession, UploadStore } from './uploads.js';
import { LinkedConnector, type LinkedSource, openSource } from './linked.js';
import type { CatalogResource, ResourceCatalog } from './resource-port.js';
import {
  checkValue,
  ColumnStats,
  type CompiledCheck,
  compileCheck,
  csvField,
  type DataType,
  Failure,
  type ItemSpec,
  proposeItem,
} from './values.js';

export type ImportMode = 'replace' | 'append' | 'upsert';
export type OnError = 'reject' | 'quarantine';

export interface ImportInput {
  file: string;
  format?: string | undefined;
  encoding?: CsvEncoding | undefined;
  /** An existing resource (id or code) … */
  resource?: string | undefined;
  /** … or a new draft resource whose items are inferred from the file. */
  newResource?: { name: string; provider: string } | undefined;
  mode?: ImportMode | undefined;
  keys?: string[] | undefined;
  onError?: OnError | undefined;
}

export interface ValueError {
  row: number;
  column: string;
  code: string;
}

export interface ImportReport {
  status: 'loaded' | 'rejected';
  datasetId: string;
  resourceId: string;
  resourceCode: string;
  loadId: string;
  version: number | null;
  format: string;
  encoding: string | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  errors: ValueError[];
}

export interface DatasetDto {
  id: string;
  resourceId: string;
  name: string;
  kind: 'hosted' | 'linked';
  orgId: string;
  items: DatasetItemRow[];
  currentVersion: number;
  sourceId: string | null;
  keyItems: string[];
  createdAt: string;
  updatedAt: string;
}

export function toDatasetDto(r: DatasetRow): DatasetDto {
  return {
    id: r.id,
    resourceId: r.resource_id,
    name: r.name,
    kind: r.kind,
    orgId: r.org_id,
    items: r.items,
    currentVersion: r.current_version,
    sourceId: r.source_id,
    keyItems: r.key_items,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export interface SourceDto {
  id: string;
  name: string;
  orgId: string;
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  database: string;
  username: string;
  hasSecret: boolean;
}

const toSourceDto = (r: DataSourceRow): SourceDto => ({
  id: r.id,
  name: r.name,
  orgId: r.org_id,
  kind: r.kind,
  host: r.host,
  port: r.port,
  database: r.database,
  username: r.username,
  hasSecret: r.secret !== null,
});

export interface UploadDto {
  id: string;
  fileName: string;
  size: number;
  received: number;
  complete: boolean;
}

export interface FormField {
  name: string;
  dataType: string;
  length: number | null;
  required: boolean;
  piiKind: string | null;
  format: string | null;
  label: { zh: string; en: string };
  hint: { zh: string; en: string } | null;
}

export interface FormDto {
  datasetId: string;
  name: string;
  fields: FormField[];
}

const TYPE_FORMAT: Record<string, string> = {
  D: 'date',
  T: 'date-time',
  I: 'integer',
  N: 'number',
  Y: 'number',
  F: 'number',
  L: 'boolean',
};

const PII_HINT: Record<string, { format: string; zh: string; en: string }> = {
  resident_id: {
    format: 'resident-id',
    zh: '18位公民身份号码（校验位）',
    en: '18-character resident ID (check digit)',
  },
  uscc: { format: 'uscc', zh: '18位统一社会信用代码', en: '18-character unified social credit code' },
  mobile: { format: 'mobile', zh: '11位手机号码', en: '11-digit mobile number' },
  bank_card: { format: 'bank-card', zh: '银行卡号（Luhn 校验）', en: 'bank card number (Luhn check)' },
  email: { format: 'email', zh: '电子邮箱', en: 'e-mail address' },
  name: { format: 'text', zh: '个人姓名（个人信息）', en: 'personal name (personal data)' },
  address: { format: 'text', zh: '地址（个人信息）', en: 'address (personal data)' },
};

function formField(i: DatasetItemRow): FormField {
  const pii = i.piiKind ? PII_HINT[i.piiKind] : undefined;
  return {
    name: i.name,
    dataType: i.dataType,
    length: i.length ?? null,
    required: i.level === 'core',
    piiKind: i.piiKind,
    format: pii?.format ?? TYPE_FORMAT[i.dataType] ?? null,
    // Item names are Chinese; the English label says what kind of value it is when we know.
    label: { zh: i.name, en: pii ? `${i.name} (${pii.en})` : i.name },
    hint: pii ? { zh: pii.zh, en: pii.en } : i.piiKind ? { zh: '个人信息', en: 'personal data' } : null,
  };
}

const KEEP_VERSIONS = 3;
const MAX_ERRORS = 100_000;
/** Rows an `import --new-resource` proposes its items from before the load pass starts. */
const SAMPLE_ROWS = 20_000;

interface Quarantined {
  row: number;
  values: Record<string, string | null>;
  errors: Array<{ column: string; code: string }>;
}

/** What a validation + COPY pass leaves: counts, errors, rows set aside, and the open COPY. */
interface LoadPass {
  rowsRead: number;
  rowsRejected: number;
  errors: ValueError[];
  quarantined: Quarantined[];
  sink: CopySink;
}

/** A COPY that has already been completed. */
const ENDED: CopySink = {
  write: () => Promise.reject(new Error('COPY already ended')),
  end: () => Promise.resolve(),
  abort: () => Promise.resolve(),
};

/** The rows of a load: CSV byte batches (binary COPY when the items allow it) or table rows. */
type Batches = { bytes: AsyncIterable<ByteBatch> } | { rows: AsyncIterable<TableRow[]> };

async function* tableRows(bytes: AsyncIterable<ByteBatch>): AsyncGenerator<TableRow[]> {
  for await (const b of bytes) {
    yield batchRows(b);
  }
}

/** Adds a byte batch's records to per-column statistics (missing fields count as empty). */
function addBatchStats(b: ByteBatch, stats: ColumnStats[], now: number): void {
  const { buf, starts, ends, first } = b;
  for (let r = 0; r < b.rows; r++) {
    const f0 = first[r] as number;
    const nf = (first[r + 1] as number) - f0;
    for (let i = 0; i < stats.length; i++) {
      if (i < nf) {
        (stats[i] as ColumnStats).addBytes(buf, starts[f0 + i] as number, ends[f0 + i] as number, now);
      } else {
        (stats[i] as ColumnStats).add(null);
      }
    }
  }
}

/**
 * Reads the first SAMPLE_ROWS rows of a table into `stats`; resolves to the whole table again (the sample kept, then the rest), in the form the table offers (byte batches or rows).
 */
async function sampleFirst(table: OpenedTable, stats: ColumnStats[]): Promise<Batches> {
  if (table.bytes) {
    const it = table.bytes[Symbol.asyncIterator]();
    const kept: ByteBatch[] = [];
    const now = Date.now();
    try {
      for (let n = 0; n < SAMPLE_ROWS;) {
        const next = await it.next();
        if (next.done) {
          break;
        }
        addBatchStats(next.value, stats, now);
        kept.push(next.value);
        n += next.value.rows;
      }
    } catch (e) {
      await it.return?.(undefined);
      throw e;
    }
    return { bytes: replay(kept, it) };
  }
  const it = table.rows[Symbol.asyncIterator]();
  const kept: TableRow[][] = [];
  try {
    for (let n = 0; n < SAMPLE_ROWS;) {
      const next = await it.next();
      if (next.done) {
        break;
      }
      for (const r of next.value) {
        for (let i = 0; i < stats.length; i++) {
          (stats[i] as ColumnStats).add(r.values[i] ?? null);
        }
      }
      kept.push(next.value);
      n += next.value.length;
    }
  } catch (e) {
    await it.return?.(undefined);
    throw e;
  }
  return { rows: replay(kept, it) };
}

/** The batches already read, then the rest of the iterator (which is closed when the consumer stops). */
async function* replay<T>(kept: T[], it: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    yield* kept;
    for (let next = await it.next(); !next.done; next = await it.next()) {
      yield next.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}

/**
 * Aggregation (汇聚): hosted datasets loaded from files or filled in, linked datasets read in place,
 * all behind one connector interface.
 */
export class DatasetService {
  private readonly sources = new Map<string, LinkedSource>();

  constructor(
    private readonly deps: {
      db: Db;
      database: Database;
      access: Access;
      ledger: LedgerService;
      orgs: OrgService;
      resources: ResourceCatalog;
      secrets: SecretBox;
      uploads?: UploadStore;
      maxUploadBytes?: number;
    },
  ) {}

  /** Closes linked-source pools. */
  async close(): Promise<void> {
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }

  async list(actor: Actor): Promise<DatasetDto[]> {
    await this.deps.access.require(actor, 'dataset.read');
    return (await datasetRepository.list(this.deps.db)).map(toDatasetDto);
  }

  async get(actor: Actor, id: string): Promise<DatasetDto> {
    await this.deps.access.require(actor, 'dataset.read');
    return toDatasetDto(await this.row(id));
  }

  /** The datasets mounted behind a resource (id or code). */
  async forResource(actor: Actor, ref: string): Promise<DatasetDto[]> {
    await this.deps.access.require(actor, 'dataset.read');
    const resource = await this.deps.resources.getResource(actor, ref);
    return (await datasetRepository.byResource(this.deps.db, resource.id)).map(toDatasetDto);
  }

  async versions(actor: Actor, id: string) {
    await this.managed(actor, id);
    return (await datasetRepository.versions(this.deps.db, id)).map((v) => ({
      version: v.version,
      rowCount: v.row_count,
      loadId: v.load_id,
      createdAt: new Date(v.created_at).toISOString(),
    }));
  }

  async loads(actor: Actor, id: string) {
    await this.managed(actor, id);
    return (await datasetRepository.loads(this.deps.db, id)).map((l) => ({
      id: l.id,
      mode: l.mode,
      onError: l.on_error,
      source: l.source,
      status: l.status,
      rowsRead: l.rows_read,
      rowsLoaded: l.rows_loaded,
      rowsRejected: l.rows_rejected,
      version: l.version,
      startedAt: new Date(l.started_at).toISOString(),
    }));
  }

  /** Rows set aside by quarantine loads, with their errors, for correction and re-submission. */
  async quarantine(actor: Actor, id: string) {
    const ds = await this.row(id);
    await this.deps.access.require(actor, 'dataset.manage', [ds.org_id]);
    return (await datasetRepository.quarantine(this.deps.db, id)).map((q) => ({
      id: q.id,
      loadId: q.load_id,
      row: q.row,
      values: q.values,
      errors: q.errors,
    }));
  }

  /** Reads rows through the dataset's connector (push-down for linked datasets). */
  async read(
    actor: Actor,
    id: string,
    q: {
      items?: string[] | undefined;
      filter?: Filter | undefined;
      order?: Order[];
      limit: number;
      offset?: number;
    },
  ): Promise<Row[]> {
    await this.deps.access.require(actor, 'dataset.read');
    const c = await this.connector(await this.row(id));
    const out: Row[] = [];
    for await (const batch of c.scan(q.items, q.filter, q.order ?? [], {
      limit: q.limit,
      offset: q.offset,
    })) {
      out.push(...batch);
    }
    await this.recordAccess(id, actorId(actor) ?? 'system', {
      rows: out.length,
      bytes: Buffer.byteLength(JSON.stringify(out)),
    });
    return out;
  }

  async count(actor: Actor, id: string, filter: Filter | undefined): Promise<number> {
    await this.deps.access.require(actor, 'dataset.read');
    return (await this.connector(await this.row(id))).count(filter);
  }

  /** The connector for a dataset (for other capabilities, through this service). */
  async connector(ds: DatasetRow): Promise<Connector> {
    if (ds.kind === 'hosted') {
      return new HostedConnector(this.deps.db, ds.table_name, ds.items);
    }
    return new LinkedConnector(await this.source(ds.source_id as string), ds.table_name as string, ds.items);
  }

  async connectorFor(actor: Actor, id: string): Promise<Connector> {
    await this.deps.access.require(actor, 'dataset.read');
    return this.connector(await this.row(id));
  }

  /**
   * Counts one read of a dataset by a consumer (an app or user id): the advisor's evidence. `read`
   * counts itself; a pipeline that reads through `connector()` calls this with what it served.
   */
  async recordAccess(
    datasetId: string,
    consumer: string,
    served: { rows: number; bytes: number; reads?: number | undefined },
  ) {
    await datasetRepository.recordAccess(this.deps.db, {
      dataset_id: datasetId,
      day: new Date().toISOString().slice(0, 10),
      consumer,
      rows: served.rows,
      bytes: served.bytes,
      ...(served.reads !== undefined ? { reads: served.reads } : {}),
    });
  }

  /**
   * Host or keep linked: per dataset (all linked ones, or one), access frequency, distinct consumers
   * and bytes served over the last `days`, with the recommendation and its reason in zh and en.
   */
  async advice(actor: Actor, opts: { id?: string | undefined; days?: number | undefined } = {}) {
    const days = opts.days ?? 30;
    let rows: DatasetRow[];
    if (opts.id) {
      rows = [await this.managed(actor, opts.id)];
    } else {
      await this.deps.access.require(actor, 'dataset.manage');
      const all = (await datasetRepository.list(this.deps.db)).filter((d) => d.kind === 'linked');
      const allowed = await this.deps.access.check(actor, 'dataset.manage', [
        ...new Set(all.map((d) => d.org_id)),
      ]);
      rows = all.filter((d) => allowed.has(d.org_id));
    }
    const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const stats = new Map(
      (await datasetRepository.accessSince(this.deps.db, since)).map((a) => [a.dataset_id, a]),
    );
    return rows.map((d) => {
      const a = stats.get(d.id);
      const s = {
        reads: Number(a?.reads ?? 0),
        consumers: Number(a?.consumers ?? 0),
        rows: Number(a?.rows ?? 0),
        bytes: Number(a?.bytes ?? 0),
        days,
      };
      return { datasetId: d.id, name: d.name, kind: d.kind, orgId: d.org_id, ...s, ...advise(d.kind, s) };
    });
  }

  /** One dataset for its provider organization's staff (dataset.manage on its org). */
  async getManaged(actor: Actor, id: string): Promise<DatasetDto> {
    return toDatasetDto(await this.managed(actor, id));
  }

  /** The datasets behind a resource, for the provider organization's staff. */
  async forResourceManaged(actor: Actor, ref: string): Promise<DatasetDto[]> {
    await this.deps.access.require(actor, 'dataset.manage');
    const resource = await this.deps.resources.getResource(actor, ref);
    await this.deps.access.require(actor, 'dataset.manage', [resource.providerOrgId]);
    return (await datasetRepository.byResource(this.deps.db, resource.id)).map(toDatasetDto);
  }

  private async managed(actor: Actor, id: string): Promise<DatasetRow> {
    const ds = await this.row(id);
    await this.deps.access.require(actor, 'dataset.manage', [ds.org_id]);
    return ds;
  }

  /**
   * Corrected quarantined rows re-submitted: each correction names a quarantined row (its id) and the
   * values to change; the row (its items only) is validated like fill-in and appended, all or nothing,
   * and the quarantined rows are marked resolved in the same transaction.
   */
  async resubmitQuarantine(
    actor: Actor,
    id: string,
    corrections: Array<{ id: number; values: Record<string, string | null> }>,
  ): Promise<{ rowsLoaded: number; resolved: number }> {
    const ds = await this.managed(actor, id);
    const open = new Map(
      (await datasetRepository.quarantine(this.deps.db, id)).map((q) => [Number(q.id), q]),
    );
    const names = new Set(ds.items.map((i) => i.name));
    const rows = corrections.map((c) => {
      const q = open.get(c.id);
      if (!q) {
        throw new NotFoundError('QUARANTINE_ROW_NOT_FOUND', 'error.quarantineRowNotFound', {
          params: { ref: c.id },
          details: { id: c.id },
        });
      }
      const merged = { ...q.values, ...c.values };
      return Object.fromEntries(Object.entries(merged).filter(([k]) => names.has(k) || k in c.values));
    });
    return this.submitRows(
      actor,
      id,
      rows,
      corrections.map((c) => c.id),
    );
  }

  // ---------------------------------------------------------------- fill-in form (填报表单)

  /** The fill-in form generated from the dataset's items: names, types, required, PII hints, zh/en labels. */
  async form(actor: Actor, id: string): Promise<FormDto> {
    const ds = await this.managed(actor, id);
    return {
      datasetId: ds.id,
      name: ds.name,
      fields: ds.items.map((i) => formField(i)),
    };
  }

  // ---------------------------------------------------------------- resumable upload (分片上传)

  /** Opens an upload session for a file to import into a resource (or a new draft resource). */
  async createUpload(
    actor: Actor,
    input: {
      fileName: string;
      size: number;
      resource?: string | undefined;
      newResource?: { name: string; provider: string } | undefined;
      format?: string | undefined;
      encoding?: CsvEncoding | undefined;
    },
  ): Promise<UploadDto> {
    await this.deps.access.require(actor, 'dataset.manage');
    let orgId: string;
    if (input.newResource) {
      orgId = (await this.deps.orgs.get(actor, input.newResource.provider)).id;
    } else if (input.resource) {
      orgId = (await this.deps.resources.getResource(actor, input.resource)).providerOrgId;
    } else {
      throw new ValidationError('IMPORT_TARGET_MISSING', 'error.importTargetMissing', {
        details: { field: 'resource' },
      });
    }
    await this.deps.access.require(actor, 'dataset.manage', [orgId]);
    if (input.size > this.maxUpload) {
      throw new AppError(413, 'UPLOAD_TOO_LARGE', 'error.uploadTooLarge', {
        params: { max: this.maxUpload },
        details: { field: 'size', max: this.maxUpload },
      });
    }
    const s = await this.uploads.create({
      orgId,
      createdBy: actorId(actor),
      fileName: input.fileName,
      size: input.size,
      resource: input.resource,
      newResource: input.newResource,
      format: input.format,
      encoding: input.encoding,
    });
    return this.uploadDto(s, 0);
  }

  async getUpload(actor: Actor, id: string): Promise<UploadDto> {
    const s = await this.upload(actor, id);
    return this.uploadDto(s, await this.uploads.received(s));
  }

  /**
   * Stores one chunk. `start` must equal the bytes already received (a client resuming after an
   * interruption asks `getUpload` for that offset first); a chunk past the declared size is refused.
   */
  async putChunk(
    actor: Actor,
    id: string,
    range: { start: number; end: number; total: number | null },
    chunk: Buffer,
  ): Promise<UploadDto> {
    const s = await this.upload(actor, id);
    const received = await this.uploads.received(s);
    if (
      range.end - range.start + 1 !== chunk.length ||
      (range.total !== null && range.total !== s.size) ||
      range.end >= s.size
    ) {
      throw new ValidationError('UPLOAD_RANGE_INVALID', 'error.uploadRangeInvalid', {
        params: { range: `${range.start}-${range.end}/${range.total ?? '*'}` },
        details: { field: 'Content-Range', received, size: s.size },
      });
    }
    if (range.start !== received) {
      throw new AppError(409, 'UPLOAD_OFFSET_MISMATCH', 'error.uploadOffsetMismatch', {
        params: { offset: received },
        details: { field: 'Content-Range', received, size: s.size },
      });
    }
    return this.uploadDto(s, await this.uploads.write(s, range.start, chunk));
  }

  /** Runs the import (same as the CLI) over the completed upload, then forgets the session. */
  async commitUpload(
    actor: Actor,
    id: string,
    opts: { mode?: ImportMode | undefined; keys?: string[] | undefined; onError?: OnError | undefined },
  ): Promise<ImportReport> {
    const s = await this.upload(actor, id);
    const received = await this.uploads.received(s);
    if (received !== s.size) {
      throw new AppError(409, 'UPLOAD_INCOMPLETE', 'error.uploadIncomplete', {
        params: { received, size: s.size },
        details: { received, size: s.size },
      });
    }
    const report = await this.importFile(actor, {
      file: this.uploads.partPath(s),
      format: s.format,
      encoding: s.encoding as CsvEncoding | undefined,
      resource: s.resource,
      newResource: s.newResource,
      ...opts,
    });
    await this.uploads.remove(s);
    return report;
  }

  /**
   * The import wizard's look at a complete upload before committing it: how the file reads, the
   * items inferred from it, and for an existing resource which file column feeds which item. The
   * encoding and target resource given here are kept for the commit (a new-resource upload may be
   * pointed at the draft the clerk made from the suggestions; it must belong to the same organization).
   */
  async previewUpload(
    actor: Actor,
    id: string,
    opts: { encoding?: CsvEncoding | undefined; resource?: string | undefined; rows?: number | undefined },
  ): Promise<
    FilePreview & {
      uploadId: string;
      fileName: string;
      newResource: { name: string; provider: string } | null;
      target: {
        resourceId: string;
        resourceCode: string;
        resourceName: string;
        mapping: Array<{
          item: string;
          dataType: string;
          level: string;
          piiKind: string | null;
          column: string | null;
          required: boolean;
        }>;
        unmappedColumns: string[];
      } | null;
    }
  > {
    const s = await this.upload(actor, id);
    const received = await this.uploads.received(s);
    if (received !== s.size) {
      throw new AppError(409, 'UPLOAD_INCOMPLETE', 'error.uploadIncomplete', {
        params: { received, size: s.size },
        details: { received, size: s.size },
      });
    }
    let resource: CatalogResource | undefined;
    if (opts.resource) {
      resource = await this.deps.resources.getResource(actor, opts.resource);
      await this.deps.access.require(actor, 'dataset.manage', [resource.providerOrgId]);
      if (resource.providerOrgId !== s.orgId) {
        throw new ValidationError('UPLOAD_TARGET_ORG', 'error.uploadTargetOrg', {
          params: { ref: opts.resource },
          details: { field: 'resource' },
        });
      }
    }
    if (opts.encoding || resource) {
      if (opts.encoding) {
        s.encoding = opts.encoding;
      }
      if (resource) {
        s.resource = resource.id;
        s.newResource = undefined;
      }
      await this.uploads.update(s);
    }
    const preview = await previewFile(this.uploads.partPath(s), {
      format: s.format,
      encoding: s.encoding as CsvEncoding | undefined,
      rows: opts.rows ?? 20,
    });
    if (!resource && s.resource) {
      resource = await this.deps.resources.getResource(actor, s.resource);
    }
    const target = resource
      ? {
          resourceId: resource.id,
          resourceCode: resource.code,
          resourceName: resource.name,
          mapping: resource.items.map((i) => ({
            item: i.name,
            dataType: i.dataType,
            level: i.level,
            piiKind: i.piiKind,
            column: preview.header.includes(i.name) ? i.name : null,
            required: i.level === 'core',
          })),
          unmappedColumns: preview.header.filter((h) => !resource.items.some((i) => i.name === h)),
        }
      : null;
    return { ...preview, uploadId: s.id, fileName: s.fileName, newResource: s.newResource ?? null, target };
  }

  private get uploads(): UploadStore {
    return this.deps.uploads ?? (this.defaultUploads ??= UploadStore.forDataDir('memory://'));
  }

  private defaultUploads: UploadStore | undefined;

  private get maxUpload(): number {
    return this.deps.maxUploadBytes ?? 1024 * 1024 * 1024;
  }

  private async upload(actor: Actor, id: string) {
    const s = await this.uploads.get(id);
    if (!s) {
      throw new NotFoundError('UPLOAD_NOT_FOUND', 'error.uploadNotFound', { params: { ref: id } });
    }
    await this.deps.access.require(actor, 'dataset.manage', [s.orgId]);
    return s;
  }

  private uploadDto(s: UploadSession, received: number): UploadDto {
    return { id: s.id, fileName: s.fileName, size: s.size, received, complete: received === s.size };
  }

  private async row(id: string): Promise<DatasetRow> {
    const r = await datasetRepository.byId(this.deps.db, id);
    if (!r) {
      throw new NotFoundError('DATASET_NOT_FOUND', 'error.datasetNotFound', { params: { ref: id } });
    }
    return r;
  }

  // ---------------------------------------------------------------- import

  /** Infers items (type, PII kind, level) over the whole file. */
  async inferFile(
    actor: Actor,
    input: { file: string; format?: string; encoding?: CsvEncoding },
  ): Promise<ItemSpec[]> {
    await this.deps.access.require(actor, 'dataset.read');
    return this.infer(input);
  }

  private async infer(input: {
    file: string;
    format?: string | undefined;
    encoding?: CsvEncoding | undefined;
  }) {
    const table = await openTable(input.file, input);
    const stats = table.header.map(() => new ColumnStats());
    if (table.bytes) {
      const now = Date.now();
      for await (const b of table.bytes) {
        addBatchStats(b, stats, now);
      }
    } else {
      for await (const batch of table.rows) {
        for (const r of batch) {
          for (let i = 0; i < stats.length; i++) {
            (stats[i] as ColumnStats).add(r.values[i] ?? null);
          }
        }
      }
    }
    return table.header.map((h, i) => proposeItem(h, stats[i] as ColumnStats));
  }

  async importFile(actor: Actor, input: ImportInput): Promise<ImportReport> {
    const mode = input.mode ?? 'replace';
    const onError = input.onError ?? 'reject';
    let resource: CatalogResource;
    if (input.newResource) {
      const org = await this.deps.orgs.get(actor, input.newResource.provider);
      await this.deps.access.require(actor, 'dataset.manage', [org.id]);
      const once = await this.importNewResource(
        actor,
        { ...input, newResource: input.newResource },
        org.id,
        mode,
        onError,
      );
      if (once.report) {
        return once.report;
      }
      // The whole file disagreed with the sample: the resource gets the whole file's items and the
      // file is read a second time with them.
      resource = await this.createInferredResource(actor, input.newResource.name, org.id, once.items);
    } else if (input.resource) {
      resource = await this.deps.resources.getResource(actor, input.resource);
      await this.deps.access.require(actor, 'dataset.manage', [resource.providerOrgId]);
    } else {
      throw new ValidationError('IMPORT_TARGET_MISSING', 'error.importTargetMissing', {
        details: { field: 'resource' },
      });
    }
    const ds = await this.hostedDataset(actor, resource);
    const table = await openTable(input.file, input);
    const source = input.file.split(/[\\/]/).pop() ?? input.file;
    return this.load(actor, ds, resource, table, source, input.keys, mode, onError);
  }

  private async createInferredResource(
    actor: Actor,
    name: string,
    providerOrgId: string,
    items: ItemSpec[],
  ): Promise<CatalogResource> {
    const created = await this.deps.resources.createResource(actor, {
      name,
      providerOrgId,
      items: items.map((i) => ({
        name: i.name,
        dataType: i.dataType,
        ...(i.length !== undefined ? { length: i.length } : {}),
        level: i.level,
        piiKind: i.piiKind,
      })),
    });
    return this.deps.resources.getResource(actor, created.id);
  }

  /**
   * `import --new-resource` in one pass over the file. Items are proposed from the first SAMPLE_ROWS
   * rows; the whole file is then validated against them and streamed by COPY into a scratch table while
   * the same column statistics keep being gathered. At the end the items are proposed again from the
   * whole file — exactly what a separate inference pass would have proposed. When they agree with the
   * sample's (type, level, PII kind; a text item's length only bounds values by the longest one seen, so
   * it cannot reject anything), every value was checked exactly as the two-pass import would have
   * checked it: the resource is created with the whole file's items and the scratch table becomes the
   * dataset's first version. When they disagree, nothing is kept and the caller loads the file again
   * with the whole file's items (the old two passes).
   */
  private async importNewResource(
    actor: Actor,
    input: ImportInput & { newResource: { name: string } },
    providerOrgId: string,
    mode: ImportMode,
    onError: OnError,
  ): Promise<{ report: ImportReport; items?: undefined } | { report?: undefined; items: ItemSpec[] }> {
    const table = await openTable(input.file, input);
    const header = table.header;
    if (mode === 'upsert') {
      const keys = input.keys ?? [];
      const unknown = keys.filter((k) => !header.includes(k));
      if (keys.length === 0 || unknown.length) {
        throw new ValidationError('IMPORT_KEYS_INVALID', 'error.importKeysInvalid', {
          params: { keys: unknown.join(', ') || '-' },
          details: { field: 'keys', unknown },
        });
      }
    }
    // Items are proposed from the first rows; the whole file's statistics are gathered by the pass.
    const sampleStats = header.map(() => new ColumnStats());
    const all = await sampleFirst(table, sampleStats);
    const sampled = header.map((h, i) => proposeItem(h, sampleStats[i] as ColumnStats));
    // Checked without a length: the final length is the longest value of the whole file.
    const items: DatasetItemRow[] = sampled.map((i, n) => ({
      name: i.name,
      dataType: i.dataType,
      level: i.level,
      piiKind: i.piiKind,
      column: `c${n + 1}`,
    }));
    const stats = header.map(() => new ColumnStats());
    const loadId = newId();
    const startedAt = new Date();
    const scratch = scratchTable(loadId);
    const pass = await this.pass(
      all,
      header,
      items,
      items.map((i) => header.indexOf(i.name)),
      scratch,
      0,
      onError,
      stats,
    );
    const whole = header.map((h, i) => proposeItem(h, stats[i] as ColumnStats));
    const agree = whole.every(
      (w, n) =>
        w.dataType === sampled[n]?.dataType &&
        w.level === sampled[n]?.level &&
        w.piiKind === sampled[n]?.piiKind,
    );
    const discard = async () => {
      await pass.sink.abort().catch(() => undefined);
      await dropTable(this.deps.db, scratch);
    };
    if (!agree) {
      await discard();
      return { items: whole };
    }
    let resource: CatalogResource;
    let ds: DatasetRow;
    try {
      resource = await this.createInferredResource(actor, input.newResource.name, providerOrgId, whole);
      ds = await this.hostedDataset(actor, resource);
    } catch (e) {
      await discard();
      throw e;
    }
    const same =
      ds.current_version === 0 &&
      ds.items.length === items.length &&
      ds.items.every(
        (d, n) =>
          d.name === items[n]?.name &&
          d.column === items[n]?.column &&
          d.dataType === items[n]?.dataType &&
          d.level === items[n]?.level &&
          d.piiKind === items[n]?.piiKind,
      );
    const source = input.file.split(/[\\/]/).pop() ?? input.file;
    if (!same) {
      // The catalog stored the items differently than proposed: load again with what it stored.
      await discard();
      const again = await openTable(input.file, input);
      return { report: await this.load(actor, ds, resource, again, source, input.keys, mode, onError) };
    }
    const staging = versionTable(ds.id, 1);
    const rejected = onError === 'reject' && pass.rowsRejected > 0;
    try {
      if (!rejected) {
        await pass.sink.end();
        pass.sink = ENDED;
        await dropTable(this.deps.db, staging);
        await renameTable(this.deps.db, scratch, staging);
      }
    } catch (e) {
      await discard();
      throw e;
    }
    const report = await this.commit(actor, ds, resource, table, source, input.keys ?? [], mode, onError, {
      loadId,
      startedAt,
      version: 1,
      staging: rejected ? scratch : staging,
      columns: items.map((i) => i.column),
      pass,
    });
    return { report };
  }

  private async hostedDataset(actor: Actor, resource: CatalogResource): Promise<DatasetRow> {
    const existing = (await datasetRepository.byResource(this.deps.db, resource.id)).find(
      (d) => d.kind === 'hosted',
    );
    if (existing) {
      return existing;
    }
    const items: DatasetItemRow[] = resource.items.map((i, n) => ({
      name: i.name,
      dataType: i.dataType,
      ...(i.length !== undefined ? { length: i.length } : {}),
      level: i.level,
      piiKind: i.piiKind,
      column: `c${n + 1}`,
    }));
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await datasetRepository.insert(trx, {
        id: newId(),
        resource_id: resource.id,
        name: resource.name,
        kind: 'hosted',
        org_id: resource.providerOrgId,
        items: JSON.stringify(items),
        current_version: 0,
        table_name: null,
        source_id: null,
        key_items: '[]',
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.created',
        subjectType: 'dataset',
        subjectId: row.id,
        orgId: row.org_id,
        data: { resourceId: resource.id, kind: 'hosted' },
      });
      return row;
    });
  }

  private async load(
    actor: Actor,
    ds: DatasetRow,
    resource: CatalogResource,
    table: OpenedTable,
    sourceName: string,
    keyInput: string[] | undefined,
    mode: ImportMode,
    onError: OnError,
  ): Promise<ImportReport> {
    const items = ds.items;
    const keys = keyInput?.length ? keyInput : ds.key_items;
    if (mode === 'upsert') {
      const unknown = keys.filter((k) => !items.some((i) => i.name === k));
      if (keys.length === 0 || unknown.length) {
        throw new ValidationError('IMPORT_KEYS_INVALID', 'error.importKeysInvalid', {
          params: { keys: unknown.join(', ') || '-' },
          details: { field: 'keys', unknown },
        });
      }
    }
    const index = items.map((i) => table.header.indexOf(i.name));
    // A file that matches no item at all (another table, or a header read in the wrong encoding) would load
    // rows of nothing but nulls: refuse it, naming every item it lacks.
    const missing = items
      .filter((i, n) => index[n] === -1 && (i.level === 'core' || index.every((x) => x === -1)))
      .map((i) => i.name);
    if (missing.length) {
      throw new ValidationError('FILE_COLUMNS_MISSING', 'error.fileColumnsMissing', {
        params: { columns: missing.join(', ') },
        details: missing.map((column) => ({ column })),
      });
    }
    const loadId = newId();
    const startedAt = new Date();
    const version = ds.current_version + 1;
    const staging = versionTable(ds.id, version);
    const columns = items.map((i) => i.column);
    await dropTable(this.deps.db, staging); // a killed earlier attempt may have left it
    let rnBase = 0;
    if (mode !== 'replace' && ds.table_name) {
      const r = await rawQuery<{ m: number | string | null }>(
        this.deps.db,
        `select max(_rn) as m from "${ds.table_name}"`,
        [],
      );
      rnBase = Number(r[0]?.m ?? 0);
    }
    const pass = await this.pass(
      table.bytes ? { bytes: table.bytes } : { rows: table.rows },
      table.header,
      items,
      index,
      staging,
      rnBase,
      onError,
    );
    return this.commit(actor, ds, resource, table, sourceName, keys, mode, onError, {
      loadId,
      startedAt,
      version,
      staging,
      columns,
      pass,
    });
  }

  /**
   * Creates `staging` with the items and validates every row against them (per-item compiled checks),
   * streaming the good ones into it by COPY (on PostgreSQL the table is created in the COPY's transaction and
   * appears when the COPY ends); bad rows are counted, reported (row, column) and kept for quarantine. On a
   * failure the COPY is aborted and `staging` dropped.
   */
  private async pass(
    source: Batches,
    header: string[],
    items: DatasetItemRow[],
    index: number[],
    staging: string,
    rnBase: number,
    onError: OnError,
    stats?: ColumnStats[],
  ): Promise<LoadPass> {
    if ('bytes' in source && items.every((i) => binaryCapable(i.dataType as DataType))) {
      return this.binaryPass(source.bytes, header, items, index, staging, rnBase, onError, stats);
    }
    const errors: ValueError[] = [];
    const quarantined: Quarantined[] = [];
    let rowsRead = 0;
    let rowsRejected = 0;
    const width = header.length;
    const checks = items.map((i) => compileCheck(i as ItemSpec));
    const checked: Array<string | null> = items.map(() => null);
    const sink = await openCopySink(
      this.deps.database,
      staging,
      items.map((i) => i.column),
      'csv',
      items,
    );
    const batches = 'rows' in source ? source.rows : tableRows(source.bytes);
    try {
      for await (const batch of batches) {
        let out = '';
        for (const r of batch) {
          rowsRead++;
          const vals = r.values;
          if (stats) {
            for (let i = 0; i < stats.length; i++) {
              (stats[i] as ColumnStats).add(vals[i] ?? null);
            }
          }
          let bad: Array<{ column: string; code: string }> | undefined;
          if (vals.length !== width && !(vals.length > width && vals.slice(width).every((v) => !v))) {
            bad = [{ column: '*', code: 'fieldCount' }];
          } else {
            for (let n = 0; n < checks.length; n++) {
              const idx = index[n] as number;
              const raw = idx === -1 ? null : (vals[idx] ?? null);
              const c = (checks[n] as CompiledCheck)(raw);
              if (c instanceof Failure) {
                (bad ??= []).push({ column: (items[n] as DatasetItemRow).name, code: c.code });
              } else {
                checked[n] = c;
              }
            }
            if (!bad) {
              let line = String(rnBase + r.row);
              for (let n = 0; n < checks.length; n++) {
                const c = checked[n] as string | null;
                line += c === null ? ',' : (checks[n] as CompiledCheck).safe ? `,${c}` : `,${csvField(c)}`;
              }
              out += `${line}\n`;
            }
          }
          if (bad) {
            rowsRejected++;
            for (const b of bad) {
              if (errors.length < MAX_ERRORS) {
                errors.push({ row: r.row, ...b });
              }
            }
            if (onError === 'quarantine') {
              quarantined.push({
                row: r.row,
                values: Object.fromEntries(header.map((h, i) => [h, vals[i] ?? null])),
                errors: bad,
              });
            }
          }
        }
        if (out) {
          await sink.write(out);
        }
      }
    } catch (e) {
      await sink.abort().catch(() => undefined);
      await dropTable(this.deps.db, staging).catch(() => undefined);
      throw e;
    }
    return { rowsRead, rowsRejected, errors, quarantined, sink };
  }

  /**
   * `pass` over CSV byte batches into a binary COPY: each value is checked on its bytes and written
   * into the row as it is checked (a bad row is rolled back), with no string per row or per value on
   * the common path; the column statistics (new-resource loads) are gathered in the same loop.
   */
  private async binaryPass(
    batches: AsyncIterable<ByteBatch>,
    header: string[],
    items: DatasetItemRow[],
    index: number[],
    staging: string,
    rnBase: number,
    onError: OnError,
    stats?: ColumnStats[],
  ): Promise<LoadPass> {
    const errors: ValueError[] = [];
    const quarantined: Quarantined[] = [];
    let rowsRead = 0;
    let rowsRejected = 0;
    const width = header.length;
    const now = Date.now();
    const checks = items.map((i) => compileByteCheck(i as ItemSpec));
    const nItems = checks.length;
    const w = new BinaryRowWriter();
    const sink = await openCopySink(
      this.deps.database,
      staging,
      items.map((i) => i.column),
      'binary',
      items,
    );
    try {
      for await (const b of batches) {
        const { buf, starts, ends, first, line } = b;
        for (let r = 0; r < b.rows; r++) {
          rowsRead++;
          const f0 = first[r] as number;
          const nf = (first[r + 1] as number) - f0;
          const row = line[r] as number;
          if (stats) {
            for (let i = 0; i < width; i++) {
              if (i < nf) {
                (stats[i] as ColumnStats).addBytes(
                  buf,
                  starts[f0 + i] as number,
                  ends[f0 + i] as number,
                  now,
                );
              } else {
                (stats[i] as ColumnStats).add(null);
              }
            }
          }
          let bad: Array<{ column: string; code: string }> | undefined;
          let extraFilled = false;
          for (let i = width; i < nf; i++) {
            if ((ends[f0 + i] as number) > (starts[f0 + i] as number)) {
              extraFilled = true;
            }
          }
          if (nf < width || extraFilled) {
            bad = [{ column: '*', code: 'fieldCount' }];
          } else {
            w.beginRow(nItems + 1);
            w.int8(rnBase + row);
            for (let n = 0; n < nItems; n++) {
              const idx = index[n] as number;
              const fail =
                idx === -1
                  ? (checks[n] as ByteCheck)(buf, -1, -1, w, now)
                  : (checks[n] as ByteCheck)(
                      buf,
                      starts[f0 + idx] as number,
                      ends[f0 + idx] as number,
                      w,
                      now,
                    );
              if (fail) {
                (bad ??= []).push({ column: (items[n] as DatasetItemRow).name, code: fail.code });
              }
            }
            if (bad) {
              w.rollback();
            } else {
              w.endRow();
            }
          }
          if (bad) {
            rowsRejected++;
            for (const e of bad) {
              if (errors.length < MAX_ERRORS) {
                errors.push({ row, ...e });
              }
            }
            if (onError === 'quarantine') {
              const vals = recordValues(b, r);
              quarantined.push({
                row,
                values: Object.fromEntries(header.map((h, i) => [h, vals[i] ?? null])),
                errors: bad,
              });
            }
          }
        }
        for (const chunk of w.take()) {
          await sink.write(chunk);
        }
      }
    } catch (e) {
      await sink.abort().catch(() => undefined);
      await dropTable(this.deps.db, staging).catch(() => undefined);
      throw e;
    }
    return { rowsRead, rowsRejected, errors, quarantined, sink };
  }

  /** Ends a pass: a rejected load is recorded and dropped; otherwise the COPY completes and the version swaps in. */
  private async commit(
    actor: Actor,
    ds: DatasetRow,
    resource: CatalogResource,
    table: OpenedTable,
    sourceName: string,
    keys: string[],
    mode: ImportMode,
    onError: OnError,
    run: {
      loadId: string;
      startedAt: Date;
      version: number;
      staging: string;
      columns: string[];
      pass: LoadPass;
    },
  ): Promise<ImportReport> {
    const { loadId, startedAt, version, staging, columns, pass } = run;
    const { rowsRead, rowsRejected, errors, quarantined, sink } = pass;
    const items = ds.items;
    const base = {
      datasetId: ds.id,
      resourceId: resource.id,
      resourceCode: resource.code,
      loadId,
      format: table.format,
      encoding: table.encoding,
      rowsRead,
      rowsRejected,
      errors,
    };
    const loadRow = {
      id: loadId,
      dataset_id: ds.id,
      mode,
      on_error: onError,
      source: sourceName,
      rows_read: rowsRead,
      rows_rejected: rowsRejected,
      errors: JSON.stringify(errors),
      created_by: actorId(actor),
      started_at: startedAt,
      finished_at: new Date(),
    };
    if (onError === 'reject' && rowsRejected > 0) {
      await sink.abort();
      await dropTable(this.deps.db, staging);
      await this.deps.db.transaction().execute(async (trx) => {
        await datasetRepository.insertLoad(trx, {
          ...loadRow,
          status: 'rejected',
          rows_loaded: 0,
          version: null,
        });
        await this.deps.ledger.record(trx, actor, {
          type: 'dataset.load.rejected',
          subjectType: 'dataset',
          subjectId: ds.id,
          orgId: ds.org_id,
          data: { loadId, rowsRead, rowsRejected },
        });
      });
      return { ...base, status: 'rejected', version: null, rowsLoaded: 0 };
    }
    let total: number;
    try {
      await sink.end();
      if (mode !== 'replace' && ds.table_name) {
        const keyCols = keys.map((k) => items.find((i) => i.name === k)?.column as string);
        await carryOver(
          this.deps.db,
          ds.table_name,
          staging,
          columns,
          keyCols,
          mode === 'upsert' ? staging : undefined,
        );
      }
      // A replacing load holds exactly the rows it loaded; other modes carried rows over: count them.
      total = await finishVersionTable(
        this.deps.db,
        staging,
        keys.map((k) => items.find((i) => i.name === k)?.column as string).filter(Boolean),
        mode === 'replace' ? rowsRead - rowsRejected : undefined,
      );
    } catch (e) {
      await dropTable(this.deps.db, staging).catch(() => undefined);
      throw e;
    }
    const rowsLoaded = rowsRead - rowsRejected;
    // The swap: one transaction flips the dataset to the new version; the previous one stays intact.
    await this.deps.db.transaction().execute(async (trx) => {
      const locked = await datasetRepository.lock(trx, ds.id);
      if (!locked || locked.current_version !== ds.current_version) {
        throw new ValidationError('DATASET_CONCURRENT_LOAD', 'error.datasetConcurrentLoad', {
          params: { ref: ds.id },
        });
      }
      await datasetRepository.insertLoad(trx, {
        ...loadRow,
        status: 'loaded',
        rows_loaded: rowsLoaded,
        version,
      });
      await datasetRepository.insertVersion(trx, {
        dataset_id: ds.id,
        version,
        table_name: staging,
        row_count: total,
        load_id: loadId,
      });
      await datasetRepository.update(trx, ds.id, {
        current_version: version,
        table_name: staging,
        updated_at: new Date(),
        ...(mode === 'upsert' ? { key_items: JSON.stringify(keys) } : {}),
      });
      if (quarantined.length) {
        await datasetRepository.insertQuarantine(
          trx,
          quarantined.map((q) => ({
            dataset_id: ds.id,
            load_id: loadId,
            row: q.row,
            values: JSON.stringify(q.values),
            errors: JSON.stringify(q.errors),
          })),
        );
      }
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.loaded',
        subjectType: 'dataset',
        subjectId: ds.id,
        orgId: ds.org_id,
        data: { loadId, version, mode, onError, rowsRead, rowsLoaded, rowsRejected, rowCount: total },
      });
    });
    await this.prune(ds.id);
    return { ...base, status: 'loaded', version, rowsLoaded };
  }

  /** Keeps the newest versions; older version tables are dropped. */
  private async prune(datasetId: string): Promise<void> {
    const versions = await datasetRepository.versions(this.deps.db, datasetId);
    for (const v of versions.slice(KEEP_VERSIONS)) {
      await dropTable(this.deps.db, v.table_name);
      await datasetRepository.deleteVersion(this.deps.db, datasetId, v.version);
    }
  }

  // ---------------------------------------------------------------- sync (前置机 style)

  /**
   * Copies a linked dataset into the hosted dataset of a resource (same item names), through the same
   * validation and versioned COPY as a file import. `full` replaces; `incremental` upserts by `keys`
   * the rows whose `since` item is at least the highest value already hosted. Each run is a load
   * in the run history (`loads`), with source `sync:<linked dataset id>`.
   */
  async sync(
    actor: Actor,
    input: {
      from: string;
      resource: string;
      mode: 'full' | 'incremental';
      keys?: string[] | undefined;
      since?: string | undefined;
      onError?: OnError | undefined;
    },
  ): Promise<ImportReport> {
    const linked = await this.row(input.from);
    if (linked.kind !== 'linked') {
      throw new ValidationError('DATASET_NOT_LINKED', 'error.datasetNotLinked', {
        params: { ref: input.from },
      });
    }
    const resource = await this.deps.resources.getResource(actor, input.resource);
    await this.deps.access.require(actor, 'dataset.manage', [resource.providerOrgId]);
    const ds = await this.hostedDataset(actor, resource);
    const names = ds.items.map((i) => i.name).filter((n) => linked.items.some((l) => l.name === n));
    let filter: Filter | undefined;
    if (input.mode === 'incremental') {
      const since = input.since ? ds.items.find((i) => i.name === input.since) : undefined;
      if (!since || !input.keys?.length) {
        throw new ValidationError('SYNC_INCREMENTAL_INVALID', 'error.syncIncrementalInvalid', {
          details: { field: 'since' },
        });
      }
      if (ds.table_name) {
        const r = await rawQuery<{ m: unknown }>(
          this.deps.db,
          `select max("${since.column}")::text as m from "${ds.table_name}"`,
          [],
        );
        const m = r[0]?.m;
        if (m !== null && m !== undefined) {
          // Not `gt`: a row changed after the last run but stamped with the same value as the cursor
          // (updated in the same second) would be skipped for ever. Re-reading the cursor's own rows
          // is harmless, as the copy upserts by key.
          filter = { op: 'gte', item: since.name, value: String(m) };
        }
      }
    }
    const connector = await this.connector(linked);
    const text = (v: unknown): string | null =>
      v === null || v === undefined
        ? null
        : v instanceof Date
          ? v.toISOString()
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v as string | number | boolean);
    async function* rows() {
      let n = 1;
      for await (const batch of connector.scan(names, filter, [], { limit: 1_000_000_000 })) {
        yield batch.map((r) => ({ row: ++n, values: names.map((k) => text(r[k])) }));
      }
    }
    const table: OpenedTable = { format: 'csv', encoding: null, header: names, rows: rows() };
    return this.load(
      actor,
      ds,
      resource,
      table,
      `sync:${linked.id}`,
      input.keys,
      input.mode === 'full' ? 'replace' : 'upsert',
      input.onError ?? 'quarantine',
    );
  }

  // ---------------------------------------------------------------- change feed

  /**
   * The change feed of a hosted dataset with key items: the cursor is a version number; each call
   * returns the keys inserted, updated or deleted by the next version (set-based diff of two kept
   * version tables) and the cursor to continue from. A cursor older than the kept versions is 410.
   */
  async changes(
    actor: Actor,
    id: string,
    since: number,
  ): Promise<{
    changes: Array<{ version: number; op: 'insert' | 'update' | 'delete'; key: Record<string, unknown> }>;
    cursor: number;
  }> {
    await this.deps.access.require(actor, 'dataset.read');
    const ds = await this.row(id);
    if (ds.kind !== 'hosted') {
      throw new ValidationError('DATASET_NOT_HOSTED', 'error.datasetNotHosted', { params: { ref: id } });
    }
    if (ds.key_items.length === 0) {
      throw new ValidationError('DATASET_NO_KEY', 'error.datasetNoKey', { params: { ref: id } });
    }
    if (since >= ds.current_version) {
      return { changes: [], cursor: ds.current_version };
    }
    const version = since + 1;
    const versions = await datasetRepository.versions(this.deps.db, id);
    const next = versions.find((v) => v.version === version);
    const prev = since === 0 ? undefined : versions.find((v) => v.version === since);
    if (!next || (since > 0 && !prev)) {
      throw new AppError(410, 'CURSOR_EXPIRED', 'error.cursorExpired', { params: { cursor: since } });
    }
    const keyItems = ds.key_items.map((k) => ds.items.find((i) => i.name === k) as DatasetItemRow);
    const q = (c: string) => `"${c}"`;
    const others = ds.items.filter((i) => !ds.key_items.includes(i.name)).map((i) => q(i.column));
    const keySel = keyItems.map((k, n) => `coalesce(n.${q(k.column)}, o.${q(k.column)}) as k${n}`).join(', ');
    const old = prev ? q(prev.table_name) : `(select * from ${q(next.table_name)} where false)`;
    const on = keyItems.map((k) => `n.${q(k.column)} = o.${q(k.column)}`).join(' and ');
    const differs = others.length
      ? ` or (${others.map((c) => `n.${c}`).join(', ')},null) is distinct from (${others.map((c) => `o.${c}`).join(', ')},null)`
      : '';
    const rows = await rawQuery<Record<string, unknown>>(
      this.deps.db,
      `select ${keySel}, case when o._rn is null then 'insert' when n._rn is null then 'delete' else 'update' end as op
         from ${q(next.table_name)} n full outer join ${old} o on ${on}
        where o._rn is null or n._rn is null${differs}
        order by 1`,
      [],
    );
    return {
      changes: rows.map((r) => ({
        version,
        op: r.op as 'insert' | 'update' | 'delete',
        key: Object.fromEntries(keyItems.map((k, n) => [k.name, r[`k${n}`]])),
      })),
      cursor: version,
    };
  }

  // ---------------------------------------------------------------- fill-in (填报)

  /**
   * Rows submitted through the generated form or API, validated like a file import; all or nothing.
   * Rows go into the current version's table (a fill-in dataset grows in place; file loads make versions).
   */
  async submitRows(
    actor: Actor,
    id: string,
    rows: Array<Record<string, unknown>>,
    resolve: number[] = [],
  ): Promise<{ rowsLoaded: number; resolved: number }> {
    const ds = await this.row(id);
    await this.deps.access.require(actor, 'dataset.manage', [ds.org_id]);
    if (ds.kind !== 'hosted') {
      throw new ValidationError('DATASET_NOT_HOSTED', 'error.datasetNotHosted', { params: { ref: id } });
    }
    const errors: ValueError[] = [];
    const values: Array<Array<string | null>> = [];
    rows.forEach((r, n) => {
      const unknown = Object.keys(r).filter((k) => !ds.items.some((i) => i.name === k));
      for (const k of unknown) {
        errors.push({ row: n + 1, column: k, code: 'unknownItem' });
      }
      const vals: Array<string | null> = [];
      for (const item of ds.items) {
        const raw = r[item.name];
        const c = checkValue(item as ItemSpec, raw === null || raw === undefined ? null : String(raw));
        if (c.ok) {
          vals.push(c.value);
        } else {
          errors.push({ row: n + 1, column: item.name, code: c.code });
        }
      }
      values.push(vals);
    });
    if (errors.length) {
      throw new ValidationError('ROWS_INVALID', 'error.rowsInvalid', {
        params: { count: errors.length },
        details: errors.map((e) => ({ ...e })),
      });
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const locked = (await datasetRepository.lock(trx, id)) as DatasetRow;
      let tableName = locked.table_name;
      if (!tableName) {
        tableName = versionTable(id, 1);
        await createVersionTable(trx, tableName, locked.items);
        await datasetRepository.insertVersion(trx, {
          dataset_id: id,
          version: 1,
          table_name: tableName,
          row_count: 0,
          load_id: 'fill-in',
        });
        await datasetRepository.update(trx, id, {
          current_version: 1,
          table_name: tableName,
          updated_at: new Date(),
        });
      }
      const max = await rawQuery<{ m: number | string | null }>(
        trx,
        `select max(_rn) as m from "${tableName}"`,
        [],
      );
      let rn = Number(max[0]?.m ?? 0);
      const cols = ['_rn', ...locked.items.map((i) => i.column)];
      for (const v of values) {
        const ph = cols.map((_c, k) => `$${k + 1}`).join(', ');
        await rawQuery(
          trx,
          `insert into "${tableName}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${ph})`,
          [++rn, ...v],
        );
      }
      const resolved = resolve.length ? await datasetRepository.resolveQuarantine(trx, id, resolve) : 0;
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.rows.submitted',
        subjectType: 'dataset',
        subjectId: id,
        orgId: locked.org_id,
        data: { rows: values.length, ...(resolve.length ? { quarantineResolved: resolved } : {}) },
      });
      return { rowsLoaded: values.length, resolved };
    });
  }

  // ---------------------------------------------------------------- linked sources

  async createSource(
    actor: Actor,
    input: {
      name: string;
      org: string;
      kind: 'postgres' | 'mysql';
      host: string;
      port: number;
      database: string;
      username: string;
      password?: string | undefined;
    },
  ): Promise<SourceDto> {
    const org = await this.deps.orgs.get(actor, input.org);
    await this.deps.access.require(actor, 'dataset.manage', [org.id]);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await datasetRepository.insertSource(trx, {
        id: newId(),
        name: input.name,
        org_id: org.id,
        kind: input.kind,
        host: input.host,
        port: input.port,
        database: input.database,
        username: input.username,
        secret: input.password ? this.deps.secrets.encrypt(input.password) : null,
        options: '{}',
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'source.created',
        subjectType: 'data_source',
        subjectId: row.id,
        orgId: org.id,
        data: { name: row.name, kind: row.kind, host: row.host, database: row.database },
      });
      return toSourceDto(row);
    });
  }

  async listSources(actor: Actor): Promise<SourceDto[]> {
    await this.deps.access.require(actor, 'dataset.read');
    return (await datasetRepository.sources(this.deps.db)).map(toSourceDto);
  }

  /** Lists a source's tables, or proposes items for one table. */
  async introspect(
    actor: Actor,
    sourceRef: string,
    table?: string,
  ): Promise<{ tables?: string[]; items?: DatasetItemRow[] }> {
    const src = await this.sourceRow(sourceRef);
    await this.deps.access.require(actor, 'dataset.manage', [src.org_id]);
    const s = await this.source(src.id);
    return table ? { items: await s.proposeItems(table) } : { tables: await s.tables() };
  }

  /**
   * Links a resource to a source table. Resource items are matched to columns by name (or by
   * `columns`: item → column); with `newResource`, a draft resource is created from the table's columns.
   */
  async link(
    actor: Actor,
    input: {
      source: string;
      table: string;
      resource?: string;
      newResource?: string;
      columns?: Record<string, string>;
    },
  ): Promise<DatasetDto> {
    const src = await this.sourceRow(input.source);
    await this.deps.access.require(actor, 'dataset.manage', [src.org_id]);
    const proposed = await (await this.source(src.id)).proposeItems(input.table);
    let resource: CatalogResource;
    if (input.newResource) {
      const created = await this.deps.resources.createResource(actor, {
        name: input.newResource,
        providerOrgId: src.org_id,
        items: proposed.map((p) => ({
          name: p.name,
          dataType: p.dataType,
          level: p.level,
          piiKind: p.piiKind,
        })),
      });
      resource = await this.deps.resources.getResource(actor, created.id);
    } else if (input.resource) {
      resource = await this.deps.resources.getResource(actor, input.resource);
    } else {
      throw new ValidationError('IMPORT_TARGET_MISSING', 'error.importTargetMissing', {
        details: { field: 'resource' },
      });
    }
    const byLower = new Map(proposed.map((p) => [p.column.toLowerCase(), p.column]));
    const missing: string[] = [];
    const items: DatasetItemRow[] = resource.items.map((i) => {
      const col = input.columns?.[i.name] ?? byLower.get(i.name.toLowerCase());
      if (!col || !byLower.has(col.toLowerCase())) {
        missing.push(i.name);
      }
      return {
        name: i.name,
        dataType: i.dataType,
        level: i.level,
        piiKind: i.piiKind,
        column: col ?? i.name,
      };
    });
    if (missing.length) {
      throw new ValidationError('SOURCE_COLUMNS_MISSING', 'error.sourceColumnsMissing', {
        params: { columns: missing.join(', ') },
        details: missing.map((item) => ({ item })),
      });
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await datasetRepository.insert(trx, {
        id: newId(),
        resource_id: resource.id,
        name: resource.name,
        kind: 'linked',
        org_id: resource.providerOrgId,
        items: JSON.stringify(items),
        current_version: 0,
        table_name: input.table,
        source_id: src.id,
        key_items: '[]',
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.linked',
        subjectType: 'dataset',
        subjectId: row.id,
        orgId: row.org_id,
        data: { resourceId: resource.id, sourceId: src.id, table: input.table },
      });
      return toDatasetDto(row);
    });
  }

  private async sourceRow(ref: string): Promise<DataSourceRow> {
    const r = await datasetRepository.sourceByRef(this.deps.db, ref);
    if (!r) {
      throw new NotFoundError('SOURCE_NOT_FOUND', 'error.sourceNotFound', { params: { ref } });
    }
    return r;
  }

  private async source(id: string): Promise<LinkedSource> {
    const cached = this.sources.get(id);
    if (cached) {
      return cached;
    }
    const r = await this.sourceRow(id);
    const s = openSource({
      id: r.id,
      kind: r.kind,
      host: r.host,
      port: r.port,
      database: r.database,
      username: r.username,
      password: r.secret ? this.deps.secrets.decrypt(r.secret) : null,
      poolSize: r.options.poolSize,
      timeoutMs: r.options.timeoutMs,
    });
    this.sources.set(id, s);
    return s;
  }
}
