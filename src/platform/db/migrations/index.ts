import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-identity.js';
import * as m0004 from './0004-ledger.js';

/** Every migration in order. Migrations are immutable once released; add a new file for each change. */
export const migrations: Record<string, Migration> = {
  '0001-identity': m0001,
  '0004-ledger': m0004,
};
