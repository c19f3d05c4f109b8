import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { DatasetSyncJobTable, DatasetSyncRunTable } from '../platform/db/tables/datasets.js';

export type SyncJobRow = Selectable<DatasetSyncJobTable>;
export type SyncRunRow = Selectable<DatasetSyncRunTable>;

/** Scheduled sync jobs and their run history (Kysely only). */
export const syncJobRepository = {
  byId: (db: Executor, id: string) =>
    db.selectFrom('dataset_sync_job').selectAll().where('id', '=', id).executeTakeFirst(),
  list: (db: Executor, orgIds?: readonly string[]) => {
    let q = db.selectFrom('dataset_sync_job').selectAll().orderBy('created_at');
    if (orgIds) {
      if (orgIds.length === 0) {
        return Promise.resolve([] as SyncJobRow[]);
      }
      q = q.where('org_id', 'in', orgIds);
    }
    return q.execute();
  },
  insert: (db: Executor, row: Insertable<DatasetSyncJobTable>) =>
    db.insertInto('dataset_sync_job').values(row).returningAll().executeTakeFirstOrThrow(),
  update: (db: Executor, id: string, patch: Updateable<DatasetSyncJobTable>) =>
    db.updateTable('dataset_sync_job').set(patch).where('id', '=', id).returningAll().executeTakeFirst(),
  remove: (db: Executor, id: string) => db.deleteFrom('dataset_sync_job').where('id', '=', id).execute(),
  /** Enabled jobs whose time has come. */
  due: (db: Executor, now: Date) =>
    db
      .selectFrom('dataset_sync_job')
      .selectAll()
      .where('enabled', '=', true)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .execute(),
  /**
   * Claims a due job by moving its next run forward, only if no one else moved it first: with several
   * server processes on one database, exactly one of them runs each due occurrence.
   */
  claim: async (db: Executor, job: SyncJobRow, next: Date): Promise<boolean> => {
    const r = await db
      .updateTable('dataset_sync_job')
      .set({ next_run_at: next })
      .where('id', '=', job.id)
      .where('next_run_at', '=', job.next_run_at)
      .where('enabled', '=', true)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  insertRun: (db: Executor, row: Insertable<DatasetSyncRunTable>) =>
    db.insertInto('dataset_sync_run').values(row).returningAll().executeTakeFirstOrThrow(),
  /** The latest run of each of these jobs, in one query (job lists show it beside each job). */
  lastRuns: async (db: Executor, jobIds: readonly string[]): Promise<SyncRunRow[]> =>
    jobIds.length === 0
      ? []
      : db
          .selectFrom('dataset_sync_run')
          .selectAll()
          .distinctOn('job_id')
          .where('job_id', 'in', jobIds)
          .orderBy('job_id')
          .orderBy('started_at', 'desc')
          .execute(),
  runs: (db: Executor, jobId: string, limit: number) =>
    db
      .selectFrom('dataset_sync_run')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute(),
};
