import type { Generated } from 'kysely';
import type { Json, Timestamp } from './columns.js';

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
}

export interface LedgerTables {
  event: EventTable;
}
