import type { CatalogTables } from './tables/catalog.js';
import type { DatasetTables } from './tables/datasets.js';
import type { IdentityTables } from './tables/identity.js';
import type { LedgerTables } from './tables/ledger.js';
import type { SharingTables } from './tables/sharing.js';

export type * from './tables/catalog.js';
export type * from './tables/datasets.js';
export type * from './tables/identity.js';
export type * from './tables/ledger.js';
export type * from './tables/sharing.js';

/**
 * The database as Kysely sees it: each capability's tables, declared in db/tables/<capability>.ts and
 * created by its migrations in db/migrations/. Only the owning capability's repositories query them.
 */
export interface DB extends IdentityTables, LedgerTables, CatalogTables, DatasetTables, SharingTables {}
