import { sql } from 'kysely';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type {
  DataSourceTable,
  DatasetLoadTable,
  DatasetQuarantineTable,
  DatasetTable,
  DatasetVersionTable,
} from '../platform/db/tables/datasets.js';

export type DatasetRow = Selectable<DatasetTable>;
export type DatasetLoadRow = Selectable<DatasetLoadTable>;
export type DatasetVersionRow = Selectable<DatasetVersionTable>;
export type DataSourceRow = Selectable<DataSourceTable>;
export type QuarantineRow = Selectable<DatasetQuarantineTable>;

/** Datasets, their versions and loads, quarantined rows and linked sources (Kysely only). */
export const datasetRepository = {
  byId: (db: Executor, id: string) =>
    db.selectFrom('dataset').selectAll().where('id', '=', id).executeTakeFirst(),
  byResource: (db: Executor, resourceId: string) =>
    db
      .selectFrom('dataset')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('created_at')
      .execute(),
  list: (db: Executor) => db.selectFrom('dataset').selectAll().orderBy('created_at').execute(),
  insert: (db: Executor, row: Insertable<DatasetTable>) =>
    db.insertInto('dataset').values(row).returningAll().executeTakeFirstOrThrow(),
  update: (db: Executor, id: string, patch: Updateable<DatasetTable>) =>
    db.updateTable('dataset').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  /** Locks the dataset row for the rest of the transaction (serialises version swaps). */
  lock: (db: Executor, id: string) =>
    db.selectFrom('dataset').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  insertVersion: (db: Executor, row: Insertable<DatasetVersionTable>) =>
    db.insertInto('dataset_version').values(row).execute(),
  versions: (db: Executor, datasetId: string) =>
    db
      .selectFrom('dataset_version')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .orderBy('version', 'desc')
      .execute(),
  deleteVersion: (db: Executor, datasetId: string, version: number) =>
    db
      .deleteFrom('dataset_version')
      .where('dataset_id', '=', datasetId)
      .where('version', '=', version)
      .execute(),

  insertLoad: (db: Executor, row: Insertable<DatasetLoadTable>) =>
    db.insertInto('dataset_load').values(row).execute(),
  loads: (db: Executor, datasetId: string) =>
    db
      .selectFrom('dataset_load')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .orderBy('started_at', 'desc')
      .execute(),

  insertQuarantine: async (db: Executor, rows: Array<Insertable<DatasetQuarantineTable>>) => {
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto('dataset_quarantine')
        .values(rows.slice(i, i + 500))
        .execute();
    }
  },
  quarantine: (db: Executor, datasetId: string) =>
    db
      .selectFrom('dataset_quarantine')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('resolved', '=', false)
      .orderBy('id')
      .execute(),

  insertSource: (db: Executor, row: Insertable<DataSourceTable>) =>
    db.insertInto('data_source').values(row).returningAll().executeTakeFirstOrThrow(),
  sourceById: (db: Executor, id: string) =>
    db.selectFrom('data_source').selectAll().where('id', '=', id).executeTakeFirst(),
  sourceByRef: (db: Executor, ref: string) =>
    db
      .selectFrom('data_source')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .executeTakeFirst(),
  resolveQuarantine: async (db: Executor, datasetId: string, ids: number[]) =>
    Number(
      (
        await db
          .updateTable('dataset_quarantine')
          .set({ resolved: true })
          .where('dataset_id', '=', datasetId)
          .where('id', 'in', ids)
          .where('resolved', '=', false)
          .executeTakeFirst()
      ).numUpdatedRows,
    ),
  recordAccess: (
    db: Executor,
    r: { dataset_id: string; day: string; consumer: string; rows: number; bytes: number; reads?: number },
  ) =>
    db
      .insertInto('dataset_access')
      .values({ ...r, reads: r.reads ?? 1 })
      .onConflict((oc) =>
        oc.columns(['dataset_id', 'day', 'consumer']).doUpdateSet((eb) => ({
          reads: sql`${eb.ref('dataset_access.reads')} + ${r.reads ?? 1}`,
          rows: sql`${eb.ref('dataset_access.rows')} + ${r.rows}`,
          bytes: sql`${eb.ref('dataset_access.bytes')} + ${r.bytes}`,
          last_at: sql`now()`,
        })),
      )
      .execute(),
  /** Reads, distinct consumers and bytes per dataset since a day (inclusive). */
  accessSince: (db: Executor, since: string) =>
    db
      .selectFrom('dataset_access')
      .select((eb) => [
        'dataset_id',
        eb.fn.sum<number | string>('reads').as('reads'),
        eb.fn.sum<number | string>('rows').as('rows'),
        eb.fn.sum<number | string>('bytes').as('bytes'),
        sql<number | string>`count(distinct consumer)`.as('consumers'),
      ])
      .where('day', '>=', since)
      .groupBy('dataset_id')
      .execute(),
  sources: (db: Executor) => db.selectFrom('data_source').selectAll().orderBy('name').execute(),
};
