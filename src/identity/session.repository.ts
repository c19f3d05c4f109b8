import type { Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { LoginFlowTable, SessionTable } from '../platform/db/schema.js';

export type SessionRow = Selectable<SessionTable>;
export type LoginFlowRow = Selectable<LoginFlowTable>;

export const sessionRepository = {
  async insert(db: Executor, row: Omit<SessionRow, 'created_at' | 'revoked_at'>): Promise<void> {
    await db.insertInto('session').values(row).execute();
  },

  async live(db: Executor, tokenHash: string, now: Date): Promise<SessionRow | undefined> {
    return db
      .selectFrom('session')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  },

  async revoke(db: Executor, tokenHash: string, at: Date): Promise<void> {
    await db.updateTable('session').set({ revoked_at: at }).where('token_hash', '=', tokenHash).execute();
  },

  async revokeAllOf(db: Executor, userId: string, at: Date): Promise<void> {
    await db
      .updateTable('session')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  },

  async deleteExpired(db: Executor, now: Date): Promise<void> {
    await db.deleteFrom('session').where('expires_at', '<', now).execute();
  },

  async deleteStaleFlows(db: Executor, before: Date): Promise<void> {
    await db.deleteFrom('login_flow').where('created_at', '<', before).execute();
  },

  async insertFlow(db: Executor, row: Omit<LoginFlowRow, 'created_at'>): Promise<void> {
    await db.insertInto('login_flow').values(row).execute();
  },

  /** Removes and returns a pending OIDC flow: each state value can be used once. */
  async takeFlow(db: Executor, state: string, notBefore: Date): Promise<LoginFlowRow | undefined> {
    await db.deleteFrom('login_flow').where('created_at', '<', notBefore).execute();
    return db.deleteFrom('login_flow').where('state', '=', state).returningAll().executeTakeFirst();
  },
};
