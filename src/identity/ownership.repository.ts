import type { Executor } from '../platform/db/database.js';
import type { OwnershipLookup } from './access.js';

/** Which organization owns each org, user or app id: the facts access.ts decides on. */
export function ownershipRepository(db: Executor): OwnershipLookup {
  return {
    async orgsOf(target, ids) {
      if (ids.length === 0) {
        return new Map();
      }
      const rows =
        target === 'org'
          ? await db.selectFrom('org').select(['id', 'id as org_id']).where('id', 'in', ids).execute()
          : target === 'user'
            ? await db.selectFrom('app_user').select(['id', 'org_id']).where('id', 'in', ids).execute()
            : await db.selectFrom('app').select(['id', 'org_id']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.org_id]));
    },
  };
}
