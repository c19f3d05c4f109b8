import type { Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { OrgTable } from '../platform/db/schema.js';

export type OrgRow = Selectable<OrgTable>;

export interface NewOrgRow {
  id: string;
  code: string;
  name: string;
  name_en: string | null;
  kind: string;
  parent_id: string | null;
  region_code: string | null;
}

export const orgRepository = {
  async list(db: Executor): Promise<OrgRow[]> {
    return db.selectFrom('org').selectAll().orderBy('code').execute();
  },

  async byId(db: Executor, id: string): Promise<OrgRow | undefined> {
    return db.selectFrom('org').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Finds an organization by its id, code or exact name (CLI and import use any of the three). */
  async byRef(db: Executor, ref: string): Promise<OrgRow | undefined> {
    return db
      .selectFrom('org')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('code', '=', ref), eb('name', '=', ref)]))
      .orderBy('code')
      .executeTakeFirst();
  },

  async byCode(db: Executor, code: string): Promise<OrgRow | undefined> {
    return db.selectFrom('org').selectAll().where('code', '=', code).executeTakeFirst();
  },

  async insert(db: Executor, row: NewOrgRow): Promise<OrgRow> {
    return db.insertInto('org').values(row).returningAll().executeTakeFirstOrThrow();
  },

  async update(
    db: Executor,
    id: string,
    patch: Partial<Pick<OrgRow, 'name' | 'name_en' | 'parent_id' | 'region_code' | 'kind'>>,
  ): Promise<OrgRow> {
    return db.updateTable('org').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  /** Ids of the organization and every ancestor, nearest first (for cycle checks). */
  async ancestry(db: Executor, id: string): Promise<string[]> {
    const rows = await db
      .withRecursive('up(id, parent_id, depth)', (qb) =>
        qb
          .selectFrom('org')
          .select(['id', 'parent_id', (eb) => eb.lit(0).as('depth')])
          .where('id', '=', id)
          .unionAll((u) =>
            u
              .selectFrom('org')
              .innerJoin('up', 'up.parent_id', 'org.id')
              .select(['org.id', 'org.parent_id', (eb) => eb(eb.ref('up.depth'), '+', 1).as('depth')])
              .where('up.depth', '<', 64),
          ),
      )
      .selectFrom('up')
      .select('id')
      .orderBy('depth')
      .execute();
    return rows.map((r) => r.id);
  },
};
