import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { AppUserTable } from '../platform/db/schema.js';

export type UserRow = Selectable<AppUserTable>;
export type UserWithRoles = UserRow & { roles: string[] };

export interface NewUserRow {
  id: string;
  username: string;
  display_name: string;
  org_id: string;
  email: string | null;
  password_hash: string | null;
  oidc_subject: string | null;
  status: string;
}

export interface UserFilter {
  orgIds?: readonly string[] | undefined;
  ids?: readonly string[] | undefined;
}

export const userRepository = {
  async list(db: Executor, filter: UserFilter = {}): Promise<UserWithRoles[]> {
    let q = db
      .selectFrom('app_user as u')
      .selectAll('u')
      .select(
        sql<
          string[]
        >`coalesce((select array_agg(r.role order by r.role) from user_role r where r.user_id = u.id), '{}')`.as(
          'roles',
        ),
      )
      .orderBy('u.username');
    if (filter.orgIds) {
      if (filter.orgIds.length === 0) {
        return [];
      }
      q = q.where('u.org_id', 'in', filter.orgIds);
    }
    if (filter.ids) {
      if (filter.ids.length === 0) {
        return [];
      }
      q = q.where('u.id', 'in', filter.ids);
    }
    return q.execute();
  },

  async byId(db: Executor, id: string): Promise<UserWithRoles | undefined> {
    return (await this.list(db, { ids: [id] }))[0];
  },

  async byUsername(db: Executor, username: string): Promise<UserRow | undefined> {
    return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  },

  async byRef(db: Executor, ref: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('app_user')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('username', '=', ref)]))
      .executeTakeFirst();
  },

  async byOidcSubject(db: Executor, subject: string): Promise<UserRow | undefined> {
    return db.selectFrom('app_user').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
  },

  async insert(db: Executor, row: NewUserRow): Promise<void> {
    await db.insertInto('app_user').values(row).execute();
  },

  async update(
    db: Executor,
    id: string,
    patch: Partial<
      Pick<
        UserRow,
        | 'display_name'
        | 'org_id'
        | 'email'
        | 'status'
        | 'password_hash'
        | 'oidc_subject'
        | 'failed_logins'
        | 'locked_until'
        | 'last_login_at'
      >
    >,
  ): Promise<void> {
    await db.updateTable('app_user').set(patch).where('id', '=', id).execute();
  },

  /** Counts a failed login and locks the account once the count reaches `max`; returns the new count. */
  async recordFailure(db: Executor, id: string, max: number, lockUntil: Date): Promise<number> {
    const row = await db
      .updateTable('app_user')
      .set((eb) => ({
        failed_logins: eb('failed_logins', '+', 1),
        locked_until: sql<Date | null>`case when failed_logins + 1 >= ${max} then ${lockUntil} else locked_until end`,
      }))
      .where('id', '=', id)
      .returning('failed_logins')
      .executeTakeFirstOrThrow();
    return row.failed_logins;
  },

  async rolesOf(db: Executor, userId: string): Promise<string[]> {
    const rows = await db.selectFrom('user_role').select('role').where('user_id', '=', userId).execute();
    return rows.map((r) => r.role).sort();
  },

  async setRoles(
    db: Executor,
    userId: string,
    roles: readonly string[],
    grantedBy: string | null,
  ): Promise<void> {
    await db.deleteFrom('user_role').where('user_id', '=', userId).execute();
    if (roles.length > 0) {
      await db
        .insertInto('user_role')
        .values(roles.map((role) => ({ user_id: userId, role, granted_by: grantedBy })))
        .execute();
    }
  },
};
