import { randomUUID } from 'node:crypto';
import type {
  ChangeDto,
  DemandAnswerInput,
  DemandCreateInput,
  DemandDto,
  DutyCreateInput,
  DutyDto,
  FacetName,
  ItemDto,
  NegativeEntryDto,
  ResourceCreateInput,
  ResourceDto,
  ResourceSummaryDto,
  ResourceUpdateInput,
  SearchQueryInput,
  SearchResultDto,
} from '../contracts/catalog.js';
import type { Access } from '../identity/access.js';
import { type Actor, actorId, actorOrg, SYSTEM } from '../identity/actor.js';
import type { OrgService } from '../identity/org.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Db, Executor } from '../platform/db/database.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../platform/errors.js';
import {
  type DemandRow,
  type DutyRow,
  type ResourceRow,
  catalogRepository as repo,
  type SearchFilter,
  type SummaryRow,
} from './catalog.repository.js';
import {
  CATEGORIES,
  type CodeRules,
  DEFAULT_CODE_RULES,
  FORMAT_CATEGORIES,
  label,
  LEVELS,
  OPEN_TYPES,
  SHARE_TYPES,
  UPDATE_CYCLES,
} from './code-lists.js';
import { catalogJsonLd, resourceJsonLd } from './dcat.js';
import { diffResources } from './diff.js';
import { next, type Status, type Transition } from './lifecycle.js';
import { locate, readSheet, writeSheet } from './sheet.js';
import {
  CACHED_IDS,
  type CachedSearch,
  DEFAULT_SEARCH_CACHE,
  SearchCache,
  type SearchCacheOptions,
} from './search-cache.js';
import { addIndexTokens, parseQuery } from './segment.js';
import { prefixCode, type ResourceFields, resourceCode, validateResource } from './validate.js';

export interface CatalogDeps {
  db: Db;
  access: Access;
  ledger: LedgerService;
  orgs: OrgService;
  codeRules?: CodeRules;
  /** The search result cache (default: 30 s, 1,024 searches; ttlMs 0 turns it off). */
  searchCache?: SearchCacheOptions;
  /** Public base URL for DCAT identifiers. */
  baseUrl?: string;
}

/** Buffered counts are written at most this long after they were counted. */
const COUNTER_FLUSH_MS = 5_000;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function toResourceDto(r: ResourceRow): ResourceDto {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    classification: {
      category: r.category,
      item: r.class_item,
      catalog: r.class_catalog,
      ...(r.class_detail ? { detail: r.class_detail } : {}),
    },
    providerOrgId: r.provider_org_id,
    providerCode: r.provider_code,
    providerName: r.provider_name,
    abstract: r.abstract,
    format: { category: r.format_category, type: r.format_type },
    items: r.items as ItemDto[],
    shareType: r.share_type as ResourceDto['shareType'],
    shareCondition: r.share_condition,
    shareMode: r.share_mode,
    shareModeType: r.share_mode_type,
    openType: r.open_type as ResourceDto['openType'],
    openCondition: r.open_condition,
    updateCycle: r.update_cycle,
    level: r.level as ResourceDto['level'],
    publishDate: r.publish_date,
    relatedCodes: r.related_codes,
    extensions: r.extensions,
    status: r.status as ResourceDto['status'],
    version: Number(r.version),
    deprecation: r.deprecation ?? null,
    counts: { search: Number(r.search_count), view: Number(r.view_count), request: Number(r.request_count) },
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toSummaryDto(r: SummaryRow): ResourceSummaryDto {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    abstract: r.abstract.length > 200 ? `${r.abstract.slice(0, 200)}…` : r.abstract,
    providerOrgId: r.provider_org_id,
    providerName: r.provider_name,
    status: r.status as ResourceSummaryDto['status'],
    version: Number(r.version),
    shareType: r.share_type,
    openType: r.open_type,
    formatCategory: r.format_category,
    updateCycle: r.update_cycle,
    level: r.level,
    itemCount: Number(r.item_count),
    updatedAt: iso(r.updated_at),
  };
}

function toDutyDto(r: DutyRow & { resource_id?: string | null }): DutyDto {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    basis: r.basis,
    dueDate: r.due_date,
    resourceId: r.resource_id ?? null,
    createdAt: iso(r.created_at),
  };
}

function toDemandDto(r: DemandRow): DemandDto {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    requesterOrgId: r.requester_org_id,
    contact: r.contact,
    targetOrgId: r.target_org_id,
    status: r.status as DemandDto['status'],
    answer: r.answer,
    resourceId: r.resource_id,
    createdAt: iso(r.created_at),
  };
}

/** The search index tokens of a resource: name, code, abstract, provider, items' names and descriptions. */
export function searchTokens(
  f: Pick<ResourceFields, 'name' | 'abstract'> & {
    items: ReadonlyArray<{ name: string; description?: string | null }>;
  },
  code: string,
  providerName: string,
): string[] {
  const out = new Set<string>();
  for (const t of [
    f.name,
    code.replace('/', ' '),
    f.abstract,
    providerName,
    ...f.items.flatMap((i) => [i.name, i.description ?? '']),
  ]) {
    addIndexTokens(t, out);
  }
  return [...out];
}

function fieldsToRow(f: ResourceFields) {
  return {
    name: f.name,
    category: f.classification.category,
    class_item: f.classification.item,
    class_catalog: f.classification.catalog,
    class_detail: f.classification.detail ?? null,
    abstract: f.abstract,
    format_category: f.format.category,
    format_type: f.format.type,
    items: JSON.stringify(f.items),
    item_count: f.items.length,
    share_type: f.shareType,
    share_condition: f.shareCondition,
    share_mode: f.shareMode,
    share_mode_type: f.shareModeType,
    open_type: f.openType,
    open_condition: f.openCondition,
    update_cycle: f.updateCycle,
    level: f.level,
    related_codes: JSON.stringify(f.relatedCodes),
    extensions: JSON.stringify(f.extensions),
  };
}

function rowToInput(r: ResourceRow): ResourceCreateInput {
  const d = toResourceDto(r);
  return {
    name: d.name,
    classification: d.classification,
    providerOrgId: d.providerOrgId,
    abstract: d.abstract,
    format: d.format,
    items: d.items,
    shareType: d.shareType,
    shareCondition: d.shareCondition,
    shareMode: d.shareMode,
    shareModeType: d.shareModeType,
    openType: d.openType,
    openCondition: d.openCondition,
    updateCycle: d.updateCycle,
    level: d.level,
    relatedCodes: d.relatedCodes,
    extensions: d.extensions,
  };
}

const notFound = (ref: string) =>
  new NotFoundError('RESOURCE_NOT_FOUND', 'error.resourceNotFound', { params: { ref } });

/**
 * The catalog (政务数据目录): GB/T 21063 resources with their items, the review lifecycle with versions,
 * Chinese full-text search with facets, the three lists and DCAT-AP export.
 *
 * Who may do what: catalog editors of the provider organization create, edit and submit its resources
 * (permission catalog.edit, own org); the data bureau's approvers and catalog editors (catalog.review, and
 * the actor's organization must be of kind data_bureau — checked here) review and publish; published
 * metadata is public; drafts are visible to the provider organization and the bureau.
 */
export class CatalogService {
  private readonly rules: CodeRules;
  private pending = new Map<string, { search: number; view: number; request: number }>();
  private pendingCount = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly searchCache: SearchCache<SearchFilter, SummaryRow>;
  private readonly inflight = new Map<string, Promise<CachedSearch<SearchFilter, SummaryRow>>>();

  constructor(private readonly deps: CatalogDeps) {
    this.rules = deps.codeRules ?? DEFAULT_CODE_RULES;
    this.searchCache = new SearchCache(deps.searchCache ?? DEFAULT_SEARCH_CACHE);
  }

  /**
   * Runs a transaction that writes resources; the search cache is invalidated before and after, so that
   * no search sees (or stores) results older than the write once it has committed.
   */
  private async writing<T>(fn: (trx: Executor) => Promise<T>): Promise<T> {
    this.searchCache.invalidate();
    try {
      return await this.deps.db.transaction().execute(fn);
    } finally {
      this.searchCache.invalidate();
    }
  }

  // ── who is who ────────────────────────────────────────────────────────────────────────────────

  private async isBureau(actor: Actor): Promise<boolean> {
    if (actor.kind === 'system') {
      return true;
    }
    const orgId = actorOrg(actor);
    if (!orgId) {
      return false;
    }
    const org = await this.deps.orgs.get(SYSTEM, orgId);
    return org.kind === 'data_bureau';
  }

  /** Fails early (401/403) for actors who cannot catalog at all, before any input is examined. */
  private requireEditorRole(actor: Actor): void {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    if (!this.deps.access.holds(actor, 'catalog.edit')) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'catalog.edit' } });
    }
  }

  private async requireReviewer(actor: Actor): Promise<void> {
    await this.deps.access.require(actor, 'catalog.review');
    if (!(await this.isBureau(actor))) {
      throw new ForbiddenError('CATALOG_BUREAU_ONLY', 'error.catalogBureauOnly');
    }
  }

  /** Whether the actor may see unpublished states of a resource of this provider. */
  private async seesDrafts(actor: Actor, providerOrgId: string): Promise<boolean> {
    if (actor.kind === 'system') {
      return true;
    }
    if (actor.kind === 'anonymous') {
      return false;
    }
    return actorOrg(actor) === providerOrgId || (await this.isBureau(actor));
  }

  private async load(trx: Executor, ref: string, forUpdate = false): Promise<ResourceRow> {
    const row = await repo.byRef(trx, ref, forUpdate);
    if (!row) {
      throw notFound(ref);
    }
    return row;
  }

  private invalid(errors: unknown[]): ValidationError {
    return new ValidationError('RESOURCE_INVALID', 'error.resourceInvalid', {
      params: { count: errors.length },
      details: errors as Array<Record<string, unknown>>,
    });
  }

  // ── create, edit, read ───────────────────────────────────────────────────────────────────────

  /** Creates a draft; every field is checked against the code lists, errors per field in `details`. */
  async createResource(actor: Actor, input: ResourceCreateInput): Promise<ResourceDto> {
    this.requireEditorRole(actor);
    const providerOrgId = input.providerOrgId ?? actorOrg(actor);
    if (!providerOrgId) {
      throw new ValidationError('RESOURCE_INVALID', 'error.resourceInvalid', {
        params: { count: 1 },
        details: [{ field: 'providerOrgId', reason: 'required' }],
      });
    }
    await this.deps.access.require(actor, 'catalog.edit', [providerOrgId]);
    const provider = await this.deps.orgs.get(SYSTEM, providerOrgId);
    return this.writing((trx) => this.createIn(trx, actor, input, provider));
  }

  private async createIn(
    trx: Executor,
    actor: Actor,
    input: ResourceCreateInput,
    provider: { id: string; code: string; name: string },
  ): Promise<ResourceDto> {
    const v = validateResource(input, this.rules);
    if (!v.ok) {
      throw this.invalid(v.errors);
    }
    const f = v.value;
    if (await repo.existsByOrgAndName(trx, provider.id, f.name)) {
      throw this.invalid([{ field: 'name', reason: 'duplicate', value: f.name }]);
    }
    const prefix = prefixCode(f.classification);
    let seq: number;
    if (input.seq) {
      seq = Number(input.seq);
      await repo.nextSeq(trx, prefix, seq);
    } else {
      seq = await repo.nextSeq(trx, prefix);
    }
    const code = resourceCode(f.classification, seq, this.rules);
    if (await repo.codeTaken(trx, code)) {
      throw this.invalid([{ field: 'seq', reason: 'duplicate', value: code }]);
    }
    const id = randomUUID();
    const row = await repo.insert(
      trx,
      {
        id,
        code,
        seq,
        ...fieldsToRow(f),
        provider_org_id: provider.id,
        provider_code: input.providerCode?.trim() || provider.code,
        provider_name: provider.name,
        status: 'draft',
        publish_date: null,
        deprecation: null,
        submitted_by: null,
        created_by: actorId(actor),
      },
      searchTokens(f, code, provider.name),
    );
    await repo.insertReview(trx, {
      resource_id: id,
      action: 'created',
      comment: null,
      actor_id: actorId(actor),
      version: 0,
    });
    await this.deps.ledger.record(trx, actor, {
      type: 'catalog.resource.created',
      subjectType: 'catalog_resource',
      subjectId: id,
      orgId: provider.id,
      data: { code, name: f.name, items: f.items.length },
    });
    return toResourceDto(row);
  }

  /** Edits a draft, or starts a new draft revision of a published resource. */
  async updateResource(actor: Actor, ref: string, patch: ResourceUpdateInput): Promise<ResourceDto> {
    const found = await this.load(this.deps.db, ref);
    await this.deps.access.require(actor, 'catalog.edit', [found.provider_org_id]);
    return this.writing(async (trx) => {
      const row = await this.load(trx, found.id, true);
      const status = next(row.status as Status, 'edit', { everPublished: row.version > 0 });
      if (!status) {
        throw new ConflictError('RESOURCE_STATE', 'error.resourceState', {
          params: { status: row.status, action: 'edit' },
        });
      }
      if (patch.providerOrgId !== undefined && patch.providerOrgId !== row.provider_org_id) {
        throw this.invalid([{ field: 'providerOrgId', reason: 'invalid', value: patch.providerOrgId }]);
      }
      const merged = { ...rowToInput(row), ...patch } as ResourceCreateInput;
      const v = validateResource(merged, this.rules);
      if (!v.ok) {
        throw this.invalid(v.errors);
      }
      const f = v.value;
      if (f.name !== row.name && (await repo.existsByOrgAndName(trx, row.provider_org_id, f.name, row.id))) {
        throw this.invalid([{ field: 'name', reason: 'duplicate', value: f.name }]);
      }
      // The code is fixed once assigned unless the classification changes before first publication.
      let code = row.code;
      let seq = row.seq;
      if (prefixCode(f.classification) !== row.code.split('/')[0]) {
        if (row.version > 0) {
          throw this.invalid([{ field: 'classification', reason: 'invalid', value: f.classification }]);
        }
        seq = await repo.nextSeq(trx, prefixCode(f.classification));
        code = resourceCode(f.classification, seq, this.rules);
      }
      const updated = await repo.update(
        trx,
        row.id,
        { ...fieldsToRow(f), code, seq, status, submitted_by: null },
        searchTokens(f, code, row.provider_name),
      );
      await repo.insertReview(trx, {
        resource_id: row.id,
        action: 'updated',
        comment: null,
        actor_id: actorId(actor),
        version: row.version,
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'catalog.resource.updated',
        subjectType: 'catalog_resource',
        subjectId: row.id,
        orgId: row.provider_org_id,
        data: { code, fields: Object.keys(patch) },
      });
      return toResourceDto(updated);
    });
  }

  /**
   * A resource by id or code. Anyone may read published metadata (the published version's snapshot when
   * a revision is under way); the provider organization and the bureau see the working copy.
   */
  async getResource(actor: Actor, ref: string): Promise<ResourceDto> {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row) {
      throw notFound(ref);
    }
    let dto: ResourceDto;
    if (await this.seesDrafts(actor, row.provider_org_id)) {
      dto = toResourceDto(row);
    } else if (row.version > 0) {
      dto = await this.publishedView(this.deps.db, row);
    } else {
      throw notFound(ref);
    }
    this.count(row.id, 'view');
    return dto;
  }

  private async publishedView(db: Executor, row: ResourceRow): Promise<ResourceDto> {
    const current = toResourceDto(row);
    if (row.status === 'published' || row.status === 'deprecated') {
      return current;
    }
    const v = await repo.version(db, row.id, row.version);
    const snap = (v?.snapshot ?? {}) as unknown as ResourceDto;
    return { ...snap, status: 'published', counts: current.counts, version: row.version };
  }

  // ── lifecycle ───────────────────────────────────────────────────────────────────────────────

  private async transition(
    actor: Actor,
    ref: string,
    t: Transition,
    comment: string | null,
    extra?: (trx: Executor, row: ResourceRow) => Promise<Record<string, unknown>>,
  ): Promise<ResourceDto> {
    return this.writing(async (trx) => {
      const row = await this.load(trx, ref, true);
      const to = next(row.status as Status, t, { everPublished: row.version > 0 });
      if (!to) {
        throw new ConflictError('RESOURCE_STATE', 'error.resourceState', {
          params: { status: row.status, action: t },
        });
      }
      const patch: Record<string, unknown> = { status: to, ...(extra ? await extra(trx, row) : {}) };
      const updated = await repo.update(trx, row.id, patch);
      await repo.insertReview(trx, {
        resource_id: row.id,
        action: {
          edit: 'updated',
          submit: 'submitted',
          approve: 'approved',
          reject: 'rejected',
          publish: 'published',
          deprecate: 'deprecated',
        }[t],
        comment,
        actor_id: actorId(actor),
        version: Number(updated.version),
      });
      await this.deps.ledger.record(trx, actor, {
        type: `catalog.resource.${{ edit: 'updated', submit: 'submitted', approve: 'approved', reject: 'rejected', publish: 'published', deprecate: 'deprecated' }[t]}`,
        subjectType: 'catalog_resource',
        subjectId: row.id,
        orgId: row.provider_org_id,
        data: {
          code: row.code,
          from: row.status,
          to,
          version: Number(updated.version),
          ...(comment ? { comment } : {}),
        },
      });
      return toResourceDto(updated);
    });
  }

  /** The provider's catalog editor sends a draft to the bureau for review. */
  async submit(actor: Actor, ref: string, comment?: string): Promise<ResourceDto> {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row) {
      throw notFound(ref);
    }
    await this.deps.access.require(actor, 'catalog.edit', [row.provider_org_id]);
    return this.transition(actor, ref, 'submit', comment ?? null, async () => ({
      submitted_by: actorId(actor),
    }));
  }

  async approve(actor: Actor, ref: string, comment?: string): Promise<ResourceDto> {
    await this.requireReviewer(actor);
    return this.transition(actor, ref, 'approve', comment ?? null, async (_trx, row) => {
      const me = actorId(actor);
      if (me !== null && row.submitted_by === me) {
        throw new ForbiddenError('CATALOG_SELF_REVIEW', 'error.catalogSelfReview');
      }
      return {};
    });
  }

  /** Sends a submitted (or approved, not yet published) resource back to draft; the comment is required. */
  async reject(actor: Actor, ref: string, comment: string): Promise<ResourceDto> {
    await this.requireReviewer(actor);
    if (!comment?.trim()) {
      throw new ValidationError('CATALOG_COMMENT_REQUIRED', 'error.catalogCommentRequired', {
        details: { field: 'comment' },
      });
    }
    return this.transition(actor, ref, 'reject', comment, async () => ({ submitted_by: null }));
  }

  /** Publishes an approved resource as a new version, recording its snapshot and the diff to the last. */
  async publish(actor: Actor, ref: string, comment?: string): Promise<ResourceDto> {
    await this.requireReviewer(actor);
    return this.transition(actor, ref, 'publish', comment ?? null, async (trx, row) => {
      const version = Number(row.version) + 1;
      const publishDate = row.publish_date ?? new Date().toISOString().slice(0, 10);
      const snapshot = { ...toResourceDto(row), status: 'published', version, publishDate } as ResourceDto;
      const prev = row.version > 0 ? await repo.version(trx, row.id, row.version) : undefined;
      const changes = diffResources(
        prev ? (prev.snapshot as Record<string, unknown>) : null,
        snapshot as unknown as Record<string, unknown>,
      );
      await repo.insertVersion(trx, {
        resource_id: row.id,
        version,
        snapshot: JSON.stringify(snapshot),
        changes: JSON.stringify(changes),
        published_by: actorId(actor),
      });
      return { version, publish_date: publishDate };
    });
  }

  /** Takes a resource out of service with a reason and (optionally) its successor; sharing refuses it after. */
  async deprecate(
    actor: Actor,
    ref: string,
    input: { reason: string; successor?: string | undefined },
  ): Promise<ResourceDto> {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row) {
      throw notFound(ref);
    }
    if (!(await this.isBureau(actor))) {
      await this.deps.access.require(actor, 'catalog.edit', [row.provider_org_id]);
    } else {
      await this.deps.access.require(actor, 'catalog.review');
    }
    if (!input.reason?.trim()) {
      throw new ValidationError('CATALOG_COMMENT_REQUIRED', 'error.catalogCommentRequired', {
        details: { field: 'reason' },
      });
    }
    return this.transition(actor, ref, 'deprecate', input.reason, async (trx, r) => {
      let successorCode: string | null = null;
      if (input.successor) {
        const s = await repo.byRef(trx, input.successor);
        if (!s || s.id === r.id) {
          throw this.invalid([{ field: 'successor', reason: 'invalid', value: input.successor }]);
        }
        successorCode = s.code;
      }
      return {
        deprecation: JSON.stringify({ reason: input.reason, successorCode, at: new Date().toISOString() }),
      };
    });
  }

  async history(actor: Actor, ref: string) {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row || (row.version === 0 && !(await this.seesDrafts(actor, row.provider_org_id)))) {
      throw notFound(ref);
    }
    const drafts = await this.seesDrafts(actor, row.provider_org_id);
    const [reviews, versions] = await Promise.all([
      repo.reviews(this.deps.db, row.id),
      repo.versions(this.deps.db, row.id),
    ]);
    return {
      reviews: drafts
        ? reviews.map((r) => ({
            action: r.action,
            comment: r.comment,
            actorId: r.actor_id,
            version: Number(r.version),
            at: iso(r.at),
          }))
        : [],
      versions: versions.map((v) => ({
        version: v.version,
        publishedAt: iso(v.published_at),
        changes: v.changes as ChangeDto[],
      })),
    };
  }

  async getVersion(
    actor: Actor,
    ref: string,
    version: number,
  ): Promise<{ version: number; resource: ResourceDto }> {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row || (row.version === 0 && !(await this.seesDrafts(actor, row.provider_org_id)))) {
      throw notFound(ref);
    }
    const v = await repo.version(this.deps.db, row.id, version);
    if (!v) {
      throw new NotFoundError('RESOURCE_VERSION_NOT_FOUND', 'error.resourceVersionNotFound', {
        params: { ref, version },
      });
    }
    return { version, resource: v.snapshot as unknown as ResourceDto };
  }

  /**
   * For sharing: the published resource a request may be made against. Refuses deprecated and
   * never-published resources (409 RESOURCE_DEPRECATED / 404), and counts the request.
   */
  async assertRequestable(actor: Actor, ref: string): Promise<ResourceDto> {
    const row = await repo.byRef(this.deps.db, ref);
    if (!row || row.version === 0) {
      throw notFound(ref);
    }
    if (row.status === 'deprecated') {
      throw new ConflictError('RESOURCE_DEPRECATED', 'error.resourceDeprecated', {
        params: { code: row.code, successor: row.deprecation?.successorCode ?? '-' },
      });
    }
    this.count(row.id, 'request');
    await this.flushCounters();
    return this.publishedView(this.deps.db, row);
  }

  // ── search ──────────────────────────────────────────────────────────────────────────────────

  async search(actor: Actor, query: SearchQueryInput): Promise<SearchResultDto> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    let scope: SearchFilter['scope'] = { kind: 'public' };
    if (query.status) {
      if (actor.kind === 'anonymous') {
        throw new UnauthenticatedError();
      }
      const bureau = await this.isBureau(actor);
      scope = { kind: 'status', status: query.status, orgId: bureau ? null : actorOrg(actor) };
    }
    const base: Omit<SearchFilter, 'terms' | 'mode' | 'words'> = {
      scope,
      provider: query.provider,
      category: query.category,
      shareType: query.shareType,
      openType: query.openType,
      format: query.format,
      updateCycle: query.updateCycle,
      level: query.level,
    };
    const parsed = query.q?.trim() ? parseQuery(query.q) : null;
    const sort = query.sort ?? (parsed ? 'relevance' : 'updated');
    const offset = (page - 1) * pageSize;
    const first: SearchFilter = {
      ...base,
      terms: parsed && parsed.terms.length > 0 ? parsed.terms : null,
      mode: 'all',
      words: parsed?.words ?? [],
    };
    const key = JSON.stringify([first, sort]);
    const generation = this.searchCache.current();
    const cached = this.searchCache.get(key);
    // An expired entry is served while one query refreshes it; a missing one waits for that query.
    const flight = cached?.fresh ? undefined : this.refresh(key, generation, first, parsed, sort);
    const hits = cached?.value ?? (await (flight as Promise<CachedSearch<SearchFilter, SummaryRow>>));
    let rows = this.searchCache.page(hits, offset, pageSize);
    if (!rows) {
      const sortUsed = hits.match === 'partial' ? 'relevance' : sort;
      rows =
        offset + pageSize <= hits.ids.length || hits.ids.length === hits.total
          ? await repo.summaries(this.deps.db, hits.filter, hits.ids.slice(offset, offset + pageSize))
          : (await repo.search(this.deps.db, hits.filter, { sort: sortUsed, limit: pageSize, offset })).rows;
      this.searchCache.setPage(hits, generation, offset, pageSize, rows);
    }
    const facets: SearchResultDto['facets'] = {};
    if (query.facets !== false && hits.total > 0) {
      const labels: Record<FacetName, (v: string) => string> = {
        provider: (v) => v,
        category: (v) => label(CATEGORIES, v),
        shareType: (v) => label(SHARE_TYPES, v),
        openType: (v) => label(OPEN_TYPES, v),
        format: (v) => label(FORMAT_CATEGORIES, v),
        updateCycle: (v) => label(UPDATE_CYCLES, v),
        level: (v) => label(LEVELS, v),
      };
      for (const b of hits.facets) {
        const name = b.facet as FacetName;
        (facets[name] ??= []).push({
          value: b.value,
          label: name === 'provider' ? b.label : labels[name](b.value),
          count: b.count,
        });
      }
      for (const list of Object.values(facets)) {
        list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
      }
    }
    if (parsed) {
      for (const r of rows) {
        this.count(r.id, 'search');
      }
    }
    return {
      total: hits.total,
      totalExact: hits.exact,
      page,
      pageSize,
      match: hits.match,
      items: rows.map(toSummaryDto),
      facets,
    };
  }

  /** Recomputes a search into the cache; concurrent callers of the same search share one query. */
  private refresh(
    key: string,
    generation: number,
    first: SearchFilter,
    parsed: ReturnType<typeof parseQuery> | null,
    sort: string,
  ): Promise<CachedSearch<SearchFilter, SummaryRow>> {
    const flightKey = `${generation}\u0000${key}`;
    let flight = this.inflight.get(flightKey);
    if (!flight) {
      flight = this.findHits(first, parsed, sort)
        .then((found) => {
          this.searchCache.set(key, generation, found);
          return found;
        })
        .finally(() => this.inflight.delete(flightKey));
      // A refresh nobody waits for must not fail unhandled; those who wait still see the error.
      flight.catch(() => undefined);
      this.inflight.set(flightKey, flight);
    }
    return flight;
  }

  /** Total, first ids and facets of a search; falls back to any term when all terms find nothing. */
  private async findHits(
    first: SearchFilter,
    parsed: ReturnType<typeof parseQuery> | null,
    sort: string,
  ): Promise<CachedSearch<SearchFilter, SummaryRow>> {
    let filter = first;
    let found = await repo.searchHits(this.deps.db, filter, sort, CACHED_IDS);
    let match: SearchResultDto['match'] = found.total > 0 ? 'all' : 'none';
    if (found.total === 0 && parsed && parsed.terms.length > 1) {
      // Typo-tolerant fallback: any of the terms, ranked by how many the name holds.
      filter = { ...first, mode: 'any' };
      found = await repo.searchHits(this.deps.db, filter, 'relevance', CACHED_IDS);
      match = found.total > 0 ? 'partial' : 'none';
    }
    return { ...found, match, filter, pages: new Map() };
  }

  // ── counters (statistics; batched so that reads stay reads) ─────────────────────────────────

  /** Counts in memory; a timer (or a full buffer) writes the counts in one statement. */
  private count(id: string, what: 'search' | 'view' | 'request'): void {
    const cur = this.pending.get(id) ?? { search: 0, view: 0, request: 0 };
    cur[what]++;
    this.pending.set(id, cur);
    this.pendingCount++;
    if (this.pendingCount >= 5000) {
      this.scheduleFlush(0);
    } else {
      this.scheduleFlush(COUNTER_FLUSH_MS);
    }
  }

  private scheduleFlush(ms: number): void {
    if (this.flushTimer && ms > 0) {
      return;
    }
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushCounters().catch(() => undefined);
    }, ms);
    this.flushTimer.unref();
  }

  /**
   * Writes the buffered search/view/request counts (by the timer, on shutdown — the CLI context's
   * `close()` — and by tests). Counts of a failed write are put back for the next flush.
   */
  /**
   * Writes the search index row of every resource that has none (resources created before migration
   * 0010 made the index its own table); run when a store is opened. Returns how many were indexed.
   */
  async indexMissing(): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await repo.unindexed(this.deps.db, 500);
      if (rows.length === 0) {
        return n;
      }
      await this.deps.db.transaction().execute(async (trx) => {
        for (const r of rows) {
          const items = (r.items ?? []) as ItemDto[];
          await repo.writeSearch(
            trx,
            r,
            searchTokens({ name: r.name, abstract: r.abstract, items }, r.code, r.provider_name),
          );
        }
      });
      n += rows.length;
      this.searchCache.invalidate();
    }
  }

  async flushCounters(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.pending.size === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    try {
      await repo.addCounts(this.deps.db, batch);
    } catch (e) {
      for (const [id, d] of batch) {
        const cur = this.pending.get(id) ?? { search: 0, view: 0, request: 0 };
        cur.search += d.search;
        cur.view += d.view;
        cur.request += d.request;
        this.pending.set(id, cur);
        this.pendingCount += d.search + d.view + d.request;
      }
      throw e;
    }
  }

  // ── the three lists ─────────────────────────────────────────────────────────────────────────

  /** 责任清单: the bureau records what a department must catalog. */
  async createDuty(actor: Actor, input: DutyCreateInput): Promise<DutyDto> {
    await this.requireReviewer(actor);
    const org = await this.deps.orgs.get(SYSTEM, input.orgId);
    return this.deps.db.transaction().execute(async (trx) => {
      if (await repo.dutyExists(trx, org.id, input.name)) {
        throw new ConflictError('DUTY_EXISTS', 'error.dutyExists', { params: { name: input.name } });
      }
      const row = await repo.insertDuty(trx, {
        id: randomUUID(),
        org_id: org.id,
        name: input.name,
        basis: input.basis ?? null,
        due_date: input.dueDate ?? null,
        created_by: actorId(actor),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'catalog.duty.created',
        subjectType: 'catalog_duty',
        subjectId: row.id,
        orgId: org.id,
        data: { name: input.name },
      });
      return toDutyDto(row);
    });
  }

  async listDuties(actor: Actor, orgId?: string): Promise<DutyDto[]> {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    return (await repo.duties(this.deps.db, orgId ?? null)).map(toDutyDto);
  }

  /** Coverage per department: duties, how many have a resource of the same name, which are missing. */
  async coverage(actor: Actor) {
    const duties = await this.listDuties(actor);
    const byOrg = new Map<string, DutyDto[]>();
    for (const d of duties) {
      byOrg.set(d.orgId, [...(byOrg.get(d.orgId) ?? []), d]);
    }
    const out = [];
    for (const [orgId, list] of byOrg) {
      const org = await this.deps.orgs.get(SYSTEM, orgId);
      out.push({
        orgId,
        orgName: org.name,
        duties: list.length,
        covered: list.filter((d) => d.resourceId).length,
        missing: list.filter((d) => !d.resourceId).map((d) => d.name),
      });
    }
    return out;
  }

  /** 需求清单: anyone, even the public, may post a demand. */
  async createDemand(actor: Actor, input: DemandCreateInput): Promise<DemandDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await repo.insertDemand(trx, {
        id: randomUUID(),
        title: input.title,
        description: input.description,
        requester_org_id: actorOrg(actor),
        requester_id: actorId(actor),
        contact: input.contact ?? null,
        target_org_id: input.targetOrgId ?? null,
        status: 'open',
        answer: null,
        resource_id: null,
        answered_at: null,
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'catalog.demand.created',
        subjectType: 'catalog_demand',
        subjectId: row.id,
        orgId: input.targetOrgId ?? actorOrg(actor),
        data: { title: input.title },
      });
      return toDemandDto(row);
    });
  }

  /** The demand list is public; the poster's contact is shown only to the bureau and the target department. */
  async listDemands(actor: Actor, status?: string): Promise<DemandDto[]> {
    const bureau = actor.kind !== 'anonymous' && (await this.isBureau(actor));
    const org = actorOrg(actor);
    return (await repo.demands(this.deps.db, status)).map((r) => {
      const d = toDemandDto(r);
      return bureau || (org !== null && org === d.targetOrgId) ? d : { ...d, contact: null };
    });
  }

  /** The bureau or the target department's editor answers; linking a resource marks it fulfilled. */
  async answerDemand(actor: Actor, id: string, input: DemandAnswerInput): Promise<DemandDto> {
    const demand = await repo.demand(this.deps.db, id);
    if (!demand) {
      throw new NotFoundError('DEMAND_NOT_FOUND', 'error.demandNotFound', { params: { ref: id } });
    }
    if (!(await this.isBureau(actor))) {
      await this.deps.access.require(actor, 'catalog.edit', [demand.target_org_id ?? '-']);
    } else {
      await this.deps.access.require(actor, 'catalog.review');
    }
    return this.deps.db.transaction().execute(async (trx) => {
      let resourceId: string | null = null;
      if (input.resource) {
        const r = await repo.byRef(trx, input.resource);
        if (!r) {
          throw notFound(input.resource);
        }
        resourceId = r.id;
      }
      const row = await repo.updateDemand(trx, id, {
        answer: input.answer,
        resource_id: resourceId,
        status: resourceId ? 'fulfilled' : 'answered',
        answered_at: new Date(),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'catalog.demand.answered',
        subjectType: 'catalog_demand',
        subjectId: id,
        orgId: demand.target_org_id,
        data: { status: row.status, resourceId },
      });
      return toDemandDto(row);
    });
  }

  /** 负面清单: every published resource or item that is not shared, with its legal basis. */
  async negativeList(_actor: Actor): Promise<NegativeEntryDto[]> {
    const out: NegativeEntryDto[] = [];
    for (const r of await repo.negative(this.deps.db)) {
      const base = {
        resourceId: r.id,
        resourceCode: r.code,
        resourceName: r.name,
        providerName: r.provider_name,
      };
      if (r.share_type === 'none') {
        out.push({ ...base, item: null, basis: r.share_condition ?? '' });
        continue;
      }
      for (const i of r.items as ItemDto[]) {
        if (i.shareType === 'none') {
          out.push({ ...base, item: i.name, basis: i.notSharedReason ?? '' });
        }
      }
    }
    return out;
  }

  // ── DCAT-AP ─────────────────────────────────────────────────────────────────────────────────

  /** Open (无条件/有条件开放), published resources as a DCAT-AP 3 catalog. */
  async dcatCatalog(
    _actor: Actor,
    opts: { page?: number; pageSize?: number } = {},
  ): Promise<Record<string, unknown>> {
    const pageSize = Math.min(opts.pageSize ?? 1000, 1000);
    const rows = await repo.publishedAll(this.deps.db, pageSize * 4, ((opts.page ?? 1) - 1) * pageSize);
    const open: ResourceDto[] = [];
    for (const r of rows) {
      const dto = await this.publishedView(this.deps.db, r);
      if (dto.openType !== 'none' && open.length < pageSize) {
        open.push(dto);
      }
    }
    return catalogJsonLd(open, {
      baseUrl: this.deps.baseUrl ?? '',
      title: '政务数据资源目录',
      description: '政务数据资源目录（开放部分），依据 GB/T 21063 编制',
      publisher: '数据管理局',
    });
  }

  async dcatResource(actor: Actor, ref: string): Promise<Record<string, unknown>> {
    const r = await this.getResource(actor, ref);
    if (r.version === 0 || r.openType === 'none') {
      throw notFound(ref);
    }
    return resourceJsonLd(r, this.deps.baseUrl ?? '');
  }

  // ── bulk ────────────────────────────────────────────────────────────────────────────────────

  /** All resources the actor may see in full (for export): the bureau and system everything, others their org's. */
  async listForExport(actor: Actor): Promise<ResourceDto[]> {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    const bureau = await this.isBureau(actor);
    return (await repo.listAll(this.deps.db, bureau ? null : actorOrg(actor))).map(toResourceDto);
  }

  /**
   * Creates many drafts in one transaction (all or nothing). Each input carries its `source` (e.g. the
   * sheet rows) so that errors can be reported against it.
   */
  async createMany(
    actor: Actor,
    inputs: Array<{ input: ResourceCreateInput; source: Record<string, unknown> }>,
  ): Promise<ResourceDto[]> {
    const providers = new Map<string, { id: string; code: string; name: string }>();
    const errors: Array<Record<string, unknown>> = [];
    for (const { input, source } of inputs) {
      const pid = input.providerOrgId ?? actorOrg(actor);
      if (!pid) {
        errors.push({ ...source, field: 'providerOrgId', reason: 'required' });
        continue;
      }
      if (!providers.has(pid)) {
        try {
          providers.set(pid, await this.deps.orgs.get(SYSTEM, pid));
        } catch {
          errors.push({ ...source, field: 'providerOrgId', reason: 'notFound', value: pid });
          continue;
        }
      }
      const v = validateResource(input, this.rules);
      if (!v.ok) {
        errors.push(...v.errors.map((e) => ({ ...source, ...e })));
      }
    }
    if (errors.length > 0) {
      throw this.invalid(errors);
    }
    await this.deps.access.require(actor, 'catalog.edit', [
      ...new Set([...providers.values()].map((p) => p.id)),
    ]);
    return this.writing(async (trx) => {
      const out: ResourceDto[] = [];
      for (const { input, source } of inputs) {
        const provider = providers.get(input.providerOrgId ?? (actorOrg(actor) as string)) as {
          id: string;
          code: string;
          name: string;
        };
        try {
          out.push(await this.createIn(trx, actor, input, provider));
        } catch (e) {
          if (e instanceof ValidationError && Array.isArray(e.details)) {
            throw this.invalid(e.details.map((d) => ({ ...source, ...d })));
          }
          throw e;
        }
      }
      return out;
    });
  }

  /** Exports the catalog the actor may see to the cataloguing sheet (xlsx). */
  async exportSheet(actor: Actor): Promise<Buffer> {
    return writeSheet(await this.listForExport(actor));
  }

  /**
   * Imports the cataloguing sheet: every row is checked, errors name the row and column; nothing is
   * created unless the whole sheet is valid.
   */
  async importSheet(actor: Actor, buffer: Buffer): Promise<{ created: number; codes: string[] }> {
    this.requireEditorRole(actor);
    let parsed: Awaited<ReturnType<typeof readSheet>>;
    try {
      parsed = await readSheet(buffer);
    } catch (e) {
      throw new ValidationError('SHEET_UNREADABLE', 'error.sheetUnreadable', { cause: e });
    }
    if (parsed.errors.length > 0) {
      throw this.invalid(parsed.errors);
    }
    const errors: Array<Record<string, unknown>> = [];
    const inputs: Array<{ input: ResourceCreateInput; source: Record<string, unknown> }> = [];
    for (const r of parsed.resources) {
      let providerOrgId: string | undefined;
      if (r.providerRef) {
        try {
          providerOrgId = (await this.deps.orgs.get(SYSTEM, r.providerRef)).id;
        } catch {
          errors.push({
            ...locate('providerOrgId', r.rows),
            field: 'providerOrgId',
            reason: 'notFound',
            value: r.providerRef,
          });
          continue;
        }
      }
      const input = { ...r.input, ...(providerOrgId ? { providerOrgId } : {}) };
      const v = validateResource(input, this.rules);
      if (!v.ok) {
        errors.push(...v.errors.map((e) => ({ ...locate(e.field, r.rows), ...e })));
        continue;
      }
      inputs.push({ input, source: { row: r.rows[0] } });
    }
    if (errors.length > 0) {
      throw this.invalid(errors);
    }
    const created = await this.createMany(actor, inputs);
    return { created: created.length, codes: created.map((c) => c.code) };
  }

  /**
   * Loads already-reviewed resources (demo city, benchmarks, migration from an old catalog) as version 1,
   * in one transaction. Only the local operator (system actor) may do this; the full review trail
   * (created, submitted, approved, published) is still written to the reviews and the ledger.
   */
  async seedPublished(actor: Actor, providerOrgId: string, inputs: ResourceCreateInput[]): Promise<number> {
    if (actor.kind !== 'system') {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'system' } });
    }
    const provider = await this.deps.orgs.get(SYSTEM, providerOrgId);
    const today = new Date().toISOString().slice(0, 10);
    return this.writing(async (trx) => {
      for (const input of inputs) {
        const created = await this.createIn(trx, actor, { ...input, providerOrgId }, provider);
        const snapshot = { ...created, status: 'published', version: 1, publishDate: today } as ResourceDto;
        await repo.update(trx, created.id, { status: 'published', version: 1, publish_date: today });
        await repo.insertVersion(trx, {
          resource_id: created.id,
          version: 1,
          snapshot: JSON.stringify(snapshot),
          changes: JSON.stringify(diffResources(null, snapshot as unknown as Record<string, unknown>)),
          published_by: null,
        });
        for (const action of ['submitted', 'approved', 'published']) {
          await repo.insertReview(trx, {
            resource_id: created.id,
            action,
            comment: null,
            actor_id: null,
            version: action === 'published' ? 1 : 0,
          });
          await this.deps.ledger.record(trx, actor, {
            type: `catalog.resource.${action}`,
            subjectType: 'catalog_resource',
            subjectId: created.id,
            orgId: providerOrgId,
            data: { code: created.code, seeded: true },
          });
        }
      }
      return inputs.length;
    });
  }

  // ── figures for the statistics capability ─────────────────────────────────────────────────────

  /** Resources per provider and lifecycle status (`orgId` null: every provider; the caller scopes). */
  async resourceCounts(
    actor: Actor,
    orgId: string | null,
  ): Promise<Array<{ orgId: string; orgName: string; status: string; count: number }>> {
    await this.deps.access.require(actor, 'stats.read');
    if (
      orgId === null &&
      this.deps.access.reach(actor, 'stats.read') !== 'all' &&
      !(await this.isBureau(actor))
    ) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'stats.read' } });
    }
    return (await repo.countsByProvider(this.deps.db, orgId)).map((r) => ({
      orgId: r.provider_org_id,
      orgName: r.provider_name,
      status: r.status,
      count: Number(r.n),
    }));
  }
}
