import { type Kysely, sql } from 'kysely';

/**
 * Ledger throughput and key protection:
 * - `event.leaf_hash`: the entry's leaf hash, computed by the writer in its own transaction, so the
 *   integrator reads 40 bytes per event instead of decoding and re-canonicalising it (null for events
 *   recorded before this migration: the integrator computes those itself);
 * - `event.data_jcs`: the RFC 8785 text of `data` as it went into the entry, so the verifier hashes it
 *   as stored and lets the database check `data_jcs::jsonb = data` (a changed `data` is still caught);
 * - `event.xid`: the writing transaction's id. The integrator sequences events in (xid, id) order up
 *   to the oldest transaction still running (`pg_snapshot_xmin`): everything below it has committed or
 *   rolled back, so the log has no gap, and no writer ever waits for the integrator (the exclusive
 *   advisory lock that drained writers is gone). Existing rows get this migration's xid, and the
 *   state's cursor (last_xid, last_event_id) starts there, so their order is unchanged;
 * - `ledger_key.private_key_box`: private signing keys encrypted with the node's secret box; the
 *   clear `private_key` column becomes nullable and is emptied by the service on first start (a
 *   migration has no access to the node's secret).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table event add column leaf_hash bytea`.execute(db);
  await sql`alter table event add column data_jcs text`.execute(db);
  await sql`alter table event add column xid xid8 not null default pg_current_xact_id()`.execute(db);
  await sql`create index event_xid_idx on event (xid, id)`.execute(db);
  await sql`alter table ledger_state add column last_xid xid8`.execute(db);
  await sql`update ledger_state set last_xid = pg_current_xact_id()`.execute(db);
  await sql`alter table ledger_key add column private_key_box text`.execute(db);
  await sql`alter table ledger_key alter column private_key drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ledger_state drop column if exists last_xid`.execute(db);
  await sql`drop index if exists event_xid_idx`.execute(db);
  await sql`alter table event drop column if exists xid`.execute(db);
  await sql`alter table event drop column if exists data_jcs`.execute(db);
  await sql`alter table event drop column if exists leaf_hash`.execute(db);
  await sql`alter table ledger_key drop column if exists private_key_box`.execute(db);
}
