import type { Actor } from '../identity/actor.js';
import { actorId, SYSTEM } from '../identity/actor.js';
import type { Access } from '../identity/access.js';
import { newId } from '../identity/tokens.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Db } from '../platform/db/database.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { t } from '../platform/i18n/i18n.js';
import type { DatasetService, ImportReport, OnError } from './dataset.service.js';
import type { ResourceCatalog } from './resource-port.js';
import { type SyncJobRow, syncJobRepository, type SyncRunRow } from './sync-job.repository.js';

export interface SyncJobInput {
  /** The linked dataset to copy from. */
  from: string;
  /** The resource (id or code) whose hosted dataset receives the rows. */
  resource: string;
  mode: 'full' | 'incremental';
  keys?: string[] | undefined;
  since?: string | undefined;
  onError?: OnError | undefined;
  everyMinutes: number;
  /** First run; default now (the next scheduler tick). */
  firstRunAt?: string | undefined;
}

export interface SyncJobDto {
  id: string;
  from: string;
  resourceId: string;
  orgId: string;
  mode: 'full' | 'incremental';
  keys: string[];
  since: string | null;
  onError: OnError;
  everyMinutes: number;
  enabled: boolean;
  nextRunAt: string;
  createdBy: string | null;
  createdAt: string;
  lastRun: SyncRunDto | null;
}

export interface SyncRunDto {
  id: string;
  trigger: 'schedule' | 'manual';
  status: 'ok' | 'failed';
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  error: string | null;
  startedAt: string;
  finishedAt: string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

function toRunDto(r: SyncRunRow): SyncRunDto {
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    rowsRead: r.rows_read,
    rowsLoaded: r.rows_loaded,
    rowsRejected: r.rows_rejected,
    error: r.error,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

function toJobDto(r: SyncJobRow, last: SyncRunRow | undefined): SyncJobDto {
  return {
    id: r.id,
    from: r.from_dataset_id,
    resourceId: r.resource_id,
    orgId: r.org_id,
    mode: r.mode,
    keys: r.key_items,
    since: r.since_item,
    onError: r.on_error,
    everyMinutes: r.every_minutes,
    enabled: r.enabled,
    nextRunAt: iso(r.next_run_at),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    lastRun: last ? toRunDto(last) : null,
  };
}

/** Smallest and largest interval a job may have (one minute to thirty days). */
export const SYNC_EVERY_MIN = 1;
export const SYNC_EVERY_MAX = 30 * 24 * 60;

/**
 * Scheduled syncs (前置机 style): a job copies a linked dataset into the hosted dataset of a resource every
 * N minutes, full or incremental, through `DatasetService.sync` (the same validation and versioned COPY as a
 * file import, each run a load in the dataset's history). The scheduler (`runDue`, a background task of
 * `serve`) claims each due job with a conditional update, so with several server processes on one database
 * each occurrence runs once. Every run, scheduled or manual, is kept in the job's run history, failures with
 * their error; a failing source does not stop other jobs.
 */
export class SyncJobService {
  constructor(
    private readonly deps: {
      db: Db;
      access: Access;
      ledger: LedgerService;
      datasets: DatasetService;
      resources: ResourceCatalog;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(actor: Actor, input: SyncJobInput): Promise<SyncJobDto> {
    if (
      !Number.isInteger(input.everyMinutes) ||
      input.everyMinutes < SYNC_EVERY_MIN ||
      input.everyMinutes > SYNC_EVERY_MAX
    ) {
      throw new ValidationError('SYNC_INTERVAL_INVALID', 'error.syncIntervalInvalid', {
        params: { min: SYNC_EVERY_MIN, max: SYNC_EVERY_MAX },
        details: { field: 'everyMinutes' },
      });
    }
    // The caller must manage both sides: the linked source dataset and the receiving resource's data.
    const from = await this.deps.datasets.getManaged(actor, input.from);
    if (from.kind !== 'linked') {
      throw new ValidationError('DATASET_NOT_LINKED', 'error.datasetNotLinked', {
        params: { ref: input.from },
        details: { field: 'from' },
      });
    }
    const resource = await this.deps.resources.getResource(actor, input.resource);
    await this.deps.access.require(actor, 'dataset.manage', [resource.providerOrgId]);
    if (input.mode === 'incremental') {
      const sinceOk = input.since !== undefined && from.items.some((i) => i.name === input.since);
      const keysOk =
        (input.keys?.length ?? 0) > 0 && input.keys!.every((k) => from.items.some((i) => i.name === k));
      if (!sinceOk || !keysOk) {
        throw new ValidationError('SYNC_INCREMENTAL_INVALID', 'error.syncIncrementalInvalid', {
          details: { field: sinceOk ? 'keys' : 'since' },
        });
      }
    }
    const firstRun = input.firstRunAt ? new Date(input.firstRunAt) : this.now();
    if (Number.isNaN(firstRun.getTime())) {
      throw new ValidationError('VALIDATION_FAILED', 'error.validation', {
        details: { field: 'firstRunAt' },
      });
    }
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const job = await syncJobRepository.insert(trx, {
        id: newId(),
        from_dataset_id: from.id,
        resource_id: resource.id,
        org_id: resource.providerOrgId,
        mode: input.mode,
        key_items: JSON.stringify(input.keys ?? []),
        since_item: input.since ?? null,
        on_error: input.onError ?? 'quarantine',
        every_minutes: input.everyMinutes,
        enabled: true,
        next_run_at: firstRun,
        created_by: actorId(actor),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.sync_job.created',
        subjectType: 'dataset_sync_job',
        subjectId: job.id,
        orgId: job.org_id,
        data: { from: from.id, resourceId: resource.id, mode: input.mode, everyMinutes: input.everyMinutes },
      });
      return job;
    });
    return this.toDto(row);
  }

  async list(actor: Actor): Promise<SyncJobDto[]> {
    const reach = this.deps.access.reach(actor, 'dataset.manage');
    await this.deps.access.require(actor, 'dataset.manage');
    const orgId = actor.kind === 'user' || actor.kind === 'app' ? actor.orgId : undefined;
    const rows = await syncJobRepository.list(
      this.deps.db,
      reach === 'all' ? undefined : orgId ? [orgId] : [],
    );
    return Promise.all(rows.map((r) => this.toDto(r)));
  }

  async get(actor: Actor, id: string): Promise<SyncJobDto> {
    return this.toDto(await this.managed(actor, id));
  }

  async runs(actor: Actor, id: string, limit = 50): Promise<SyncRunDto[]> {
    await this.managed(actor, id);
    return (await syncJobRepository.runs(this.deps.db, id, limit)).map(toRunDto);
  }

  /** Pauses or resumes a job, or changes its interval (the next run moves to now + interval when it does). */
  async update(
    actor: Actor,
    id: string,
    patch: { enabled?: boolean | undefined; everyMinutes?: number | undefined },
  ) {
    const job = await this.managed(actor, id);
    if (
      patch.everyMinutes !== undefined &&
      (!Number.isInteger(patch.everyMinutes) ||
        patch.everyMinutes < SYNC_EVERY_MIN ||
        patch.everyMinutes > SYNC_EVERY_MAX)
    ) {
      throw new ValidationError('SYNC_INTERVAL_INVALID', 'error.syncIntervalInvalid', {
        params: { min: SYNC_EVERY_MIN, max: SYNC_EVERY_MAX },
        details: { field: 'everyMinutes' },
      });
    }
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const updated = await syncJobRepository.update(trx, id, {
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.everyMinutes !== undefined
          ? {
              every_minutes: patch.everyMinutes,
              next_run_at: new Date(this.now().getTime() + patch.everyMinutes * 60_000),
            }
          : {}),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.sync_job.updated',
        subjectType: 'dataset_sync_job',
        subjectId: id,
        orgId: job.org_id,
        data: { ...patch },
      });
      return updated ?? job;
    });
    return this.toDto(row);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const job = await this.managed(actor, id);
    await this.deps.db.transaction().execute(async (trx) => {
      await syncJobRepository.remove(trx, id);
      await this.deps.ledger.record(trx, actor, {
        type: 'dataset.sync_job.deleted',
        subjectType: 'dataset_sync_job',
        subjectId: id,
        orgId: job.org_id,
        data: {},
      });
    });
  }

  /** Runs a job now, outside its schedule (the schedule is unchanged). */
  async runNow(actor: Actor, id: string): Promise<SyncRunDto> {
    const job = await this.managed(actor, id);
    return this.execute(actor, job, 'manual');
  }

  /**
   * The scheduler's tick: runs every enabled job whose time has come, one after another, each claimed first
   * so that another process does not run it too. Returns the runs made.
   */
  async runDue(): Promise<SyncRunDto[]> {
    const now = this.now();
    const out: SyncRunDto[] = [];
    for (const job of await syncJobRepository.due(this.deps.db, now)) {
      const next = new Date(
        Math.max(now.getTime(), new Date(job.next_run_at).getTime()) + job.every_minutes * 60_000,
      );
      if (await syncJobRepository.claim(this.deps.db, job, next)) {
        // Scheduled runs act as the node itself; the job's creator and the run are on record.
        out.push(await this.execute(SYSTEM, job, 'schedule'));
      }
    }
    return out;
  }

  private async execute(actor: Actor, job: SyncJobRow, trigger: 'schedule' | 'manual'): Promise<SyncRunDto> {
    const startedAt = this.now();
    let report: ImportReport | undefined;
    let error: string | null = null;
    try {
      report = await this.deps.datasets.sync(actor, {
        from: job.from_dataset_id,
        resource: job.resource_id,
        mode: job.mode,
        keys: job.key_items,
        since: job.since_item ?? undefined,
        onError: job.on_error,
      });
    } catch (e) {
      // Kept in both languages: the history is read later by whoever looks, in either.
      error =
        e instanceof AppError
          ? `${e.code}: ${t('zh-CN', e.messageKey, e.params)} / ${t('en', e.messageKey, e.params)}`
          : e instanceof Error
            ? e.message
            : String(e);
    }
    const failed = error !== null || ((report?.rowsRejected ?? 0) > 0 && job.on_error === 'reject');
    const run = await syncJobRepository.insertRun(this.deps.db, {
      id: newId(),
      job_id: job.id,
      trigger,
      status: failed ? 'failed' : 'ok',
      rows_read: report?.rowsRead ?? 0,
      rows_loaded: report?.rowsLoaded ?? 0,
      rows_rejected: report?.rowsRejected ?? 0,
      error,
      started_at: startedAt,
      finished_at: this.now(),
    });
    return toRunDto(run);
  }

  private async managed(actor: Actor, id: string): Promise<SyncJobRow> {
    const job = await syncJobRepository.byId(this.deps.db, id);
    if (!job) {
      throw new NotFoundError('SYNC_JOB_NOT_FOUND', 'error.syncJobNotFound', { params: { ref: id } });
    }
    await this.deps.access.require(actor, 'dataset.manage', [job.org_id]);
    return job;
  }

  private async toDto(r: SyncJobRow): Promise<SyncJobDto> {
    const [last] = await syncJobRepository.runs(this.deps.db, r.id, 1);
    return toJobDto(r, last);
  }
}
