import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.js';

/** Tables of the ledger capability. */
export interface EventTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  type: string;
  actor_kind: string;
  actor_id: string | null;
  org_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  data: Json<Record<string, unknown>>;
  request_id: string | null;
  /** Leaf hash computed by the writer (null before migration 0009). */
  leaf_hash: Buffer | null;
  /** RFC 8785 text of `data` as logged (null before migration 0009). */
  data_jcs: string | null;
}

export interface LedgerStateTable {
  id: number;
  origin: string;
  hash_alg: string;
  size: number;
  root: Buffer;
  last_event_id: number;
  updated_at: Timestamp;
}

export interface LedgerLeafTable {
  seq: number;
  event_id: number;
  leaf_hash: Buffer;
}

export interface LedgerTileTable {
  level: number;
  idx: number;
  hashes: Buffer;
}

export interface LedgerCheckpointTable {
  size: number;
  root: Buffer;
  note: string;
  created_at: Timestamp;
}

export interface LedgerCosignatureTable {
  size: number;
  witness: string;
  line: string;
  created_at: Timestamp;
}

export interface LedgerKeyTable {
  key_id: string;
  name: string;
  alg: string;
  purpose: string;
  public_key: Buffer;
  /** Clear private key: only in stores not yet sealed (before migration 0009's first start). */
  private_key: Buffer | null;
  /** Private key encrypted with the node's secret box (base64 PKCS#8 / scalar inside). */
  private_key_box: string | null;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface LedgerPersonalTable {
  event_id: number;
  digest: Buffer;
  salt: Buffer | null;
  data: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  erased_at: NullableTimestamp;
}

export interface LedgerWitnessedLogTable {
  origin: string;
  vkey: string;
  size: number;
  root: Buffer | null;
  updated_at: Timestamp;
}

export interface LedgerTables {
  event: EventTable;
  ledger_state: LedgerStateTable;
  ledger_leaf: LedgerLeafTable;
  ledger_tile: LedgerTileTable;
  ledger_checkpoint: LedgerCheckpointTable;
  ledger_cosignature: LedgerCosignatureTable;
  ledger_key: LedgerKeyTable;
  ledger_personal: LedgerPersonalTable;
  ledger_witnessed_log: LedgerWitnessedLogTable;
}
