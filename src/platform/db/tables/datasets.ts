import type { Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.js';

/** One item of a dataset as stored: the resource item plus where its values live. */
export interface DatasetItemRow {
  name: string;
  dataType: string;
  length?: number;
  level: 'core' | 'important' | 'general';
  piiKind: string | null;
  /** Hosted: the physical column (c1, c2 …); linked: the source column. */
  column: string;
}

export interface DatasetTable {
  id: string;
  resource_id: string;
  name: string;
  kind: 'hosted' | 'linked';
  org_id: string;
  items: Json<DatasetItemRow[]>;
  /** Hosted: the current version (0 = no data yet). */
  current_version: number;
  /** Hosted: the physical table holding the current version. Linked: the source table. */
  table_name: string | null;
  source_id: string | null;
  key_items: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DatasetVersionTable {
  dataset_id: string;
  version: number;
  table_name: string;
  row_count: number;
  load_id: string;
  created_at: Timestamp;
}

export interface DatasetLoadTable {
  id: string;
  dataset_id: string;
  mode: 'replace' | 'append' | 'upsert';
  on_error: 'reject' | 'quarantine';
  source: string;
  status: 'loaded' | 'rejected' | 'failed';
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  errors: Json<Array<{ row: number; column: string; code: string }>>;
  version: number | null;
  created_by: string | null;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface DatasetQuarantineTable {
  id: Generated<number>;
  dataset_id: string;
  load_id: string;
  row: number;
  values: Json<Record<string, string | null>>;
  errors: Json<Array<{ column: string; code: string }>>;
  resolved: Generated<boolean>;
}

export interface DatasetAccessTable {
  dataset_id: string;
  /** YYYY-MM-DD */
  day: string;
  consumer: string;
  reads: number;
  rows: number | string;
  bytes: number | string;
  last_at: Generated<Timestamp>;
}

export interface DataSourceTable {
  id: string;
  name: string;
  org_id: string;
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  database: string;
  username: string;
  /** AES-256-GCM ciphertext of the password (platform/secrets.ts). */
  secret: string | null;
  options: Json<{ poolSize?: number; timeoutMs?: number }>;
  created_at: Timestamp;
}

export interface DatasetSyncJobTable {
  id: string;
  from_dataset_id: string;
  resource_id: string;
  /** The hosted side's provider organization (who may manage the job). */
  org_id: string;
  mode: 'full' | 'incremental';
  key_items: Json<string[]>;
  since_item: string | null;
  on_error: 'reject' | 'quarantine';
  every_minutes: number;
  enabled: boolean;
  next_run_at: Timestamp;
  created_by: string | null;
  created_at: Timestamp;
}

export interface DatasetSyncRunTable {
  id: string;
  job_id: string;
  trigger: 'schedule' | 'manual';
  status: 'ok' | 'failed';
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  error: string | null;
  started_at: Timestamp;
  finished_at: Timestamp;
}

export interface DatasetTables {
  dataset: DatasetTable;
  dataset_version: DatasetVersionTable;
  dataset_load: DatasetLoadTable;
  dataset_quarantine: DatasetQuarantineTable;
  data_source: DataSourceTable;
  dataset_access: DatasetAccessTable;
  dataset_sync_job: DatasetSyncJobTable;
  dataset_sync_run: DatasetSyncRunTable;
}
