import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-identity.js';
import * as m0002 from './0002-catalog.js';
import * as m0003 from './0003-datasets.js';
import * as m0004 from './0004-ledger.js';
import * as m0005 from './0005-sharing.js';
import * as m0006 from './0006-dataset-access.js';
import * as m0007 from './0007-dataset-sync-jobs.js';
import * as m0008 from './0008-sharing-notifications.js';
import * as m0009 from './0009-ledger-entries.js';
import * as m0010 from './0010-catalog-search-index.js';

/** Every migration in order. Migrations are immutable once released; add a new file for each change. */
export const migrations: Record<string, Migration> = {
  '0001-identity': m0001,
  '0002-catalog': m0002,
  '0003-datasets': m0003,
  '0004-ledger': m0004,
  '0005-sharing': m0005,
  '0006-dataset-access': m0006,
  '0007-dataset-sync-jobs': m0007,
  '0008-sharing-notifications': m0008,
  '0009-ledger-entries': m0009,
  '0010-catalog-search-index': m0010,
};
