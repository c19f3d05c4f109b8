import type { Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { ApiKeyTable, AppTable } from '../platform/db/schema.js';

export type AppRow = Selectable<AppTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;

/** An API key joined with the app it belongs to: what authentication needs in one query. */
export interface KeyWithApp {
  key_id: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  app_id: string;
  app_status: string;
  org_id: string;
  org_kind: string;
  roles: string[];
}

export const appRepository = {
  async list(db: Executor, orgIds?: readonly string[]): Promise<AppRow[]> {
    let q = db.selectFrom('app').selectAll().orderBy('name');
    if (orgIds) {
      if (orgIds.length === 0) {
        return [];
      }
      q = q.where('org_id', 'in', orgIds);
    }
    return q.execute();
  },

  async byId(db: Executor, id: string): Promise<AppRow | undefined> {
    return db.selectFrom('app').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(
    db: Executor,
    row: Omit<AppRow, 'created_at' | 'roles'> & { roles: string[] },
  ): Promise<AppRow> {
    return db
      .insertInto('app')
      .values({ ...row, roles: JSON.stringify(row.roles) })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async update(
    db: Executor,
    id: string,
    patch: { name?: string; description?: string | null; status?: string; roles?: string[] },
  ): Promise<AppRow> {
    const { roles, ...rest } = patch;
    return db
      .updateTable('app')
      .set({ ...rest, ...(roles ? { roles: JSON.stringify(roles) } : {}) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async insertKey(
    db: Executor,
    row: Omit<ApiKeyRow, 'created_at' | 'revoked_at' | 'last_used_at' | 'scopes'> & { scopes: string[] },
  ): Promise<ApiKeyRow> {
    return db
      .insertInto('api_key')
      .values({ ...row, scopes: JSON.stringify(row.scopes) })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async keysOf(db: Executor, appId: string): Promise<ApiKeyRow[]> {
    return db.selectFrom('api_key').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
  },

  async keyById(db: Executor, keyId: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_key').selectAll().where('id', '=', keyId).executeTakeFirst();
  },

  async revokeKey(db: Executor, keyId: string, at: Date): Promise<void> {
    await db
      .updateTable('api_key')
      .set({ revoked_at: at })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .execute();
  },

  async keyForAuth(db: Executor, keyId: string): Promise<KeyWithApp | undefined> {
    return db
      .selectFrom('api_key as k')
      .innerJoin('app as a', 'a.id', 'k.app_id')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .select([
        'k.id as key_id',
        'k.secret_hash',
        'k.scopes',
        'k.expires_at',
        'k.revoked_at',
        'a.id as app_id',
        'a.status as app_status',
        'a.org_id',
        'o.kind as org_kind',
        'a.roles',
      ])
      .where('k.id', '=', keyId)
      .executeTakeFirst();
  },

  async touchKey(db: Executor, keyId: string, at: Date): Promise<void> {
    await db.updateTable('api_key').set({ last_used_at: at }).where('id', '=', keyId).execute();
  },
};
