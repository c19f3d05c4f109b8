import { type Kysely, sql } from 'kysely';

/** Advisory lock key guarding event sequencing ("govhub-ledger"), as in ledger.repository.ts. */
const SEQ_LOCK = 0x6c656467;

/**
 * Ledger throughput and key protection:
 * - `event.leaf_hash`: the entry's leaf hash, computed by the writer in its own transaction, so the
 *   integrator reads 40 bytes per event instead of decoding and re-canonicalising it (null for events
 *   recorded before this migration: the integrator computes those itself);
 * - `event.data_jcs`: the RFC 8785 text of `data` as it went into the entry, so the verifier hashes it
 *   as stored and lets the database check `data_jcs::jsonb = data` (a changed `data` is still caught);
 * - `ledger_next_ids(n)`: takes the shared sequencing lock, then draws n event ids (one round trip,
 *   and the lock is provably taken before any id is drawn);
 * - `ledger_watermark()`: the exclusive sequencing lock (250 ms at most) and `max(id)` in one call;
 * - `ledger_key.private_key_box`: private signing keys encrypted with the node's secret box; the
 *   clear `private_key` column becomes nullable and is emptied by the service on first start (a
 *   migration has no access to the node's secret).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table event add column leaf_hash bytea`.execute(db);
  await sql`alter table event add column data_jcs text`.execute(db);
  await sql
    .raw(
      `create function ledger_next_ids(n integer) returns setof bigint language plpgsql as $$
    begin
      perform pg_advisory_xact_lock_shared(${SEQ_LOCK});
      return query select nextval('event_id_seq') from generate_series(1, n);
    end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create function ledger_watermark() returns bigint language plpgsql as $$
    begin
      perform set_config('lock_timeout', '250ms', true);
      perform pg_advisory_xact_lock(${SEQ_LOCK});
      return coalesce((select max(id) from event), 0);
    end $$`,
    )
    .execute(db);
  await sql`alter table ledger_key add column private_key_box text`.execute(db);
  await sql`alter table ledger_key alter column private_key drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists ledger_watermark()`.execute(db);
  await sql`drop function if exists ledger_next_ids(integer)`.execute(db);
  await sql`alter table event drop column if exists data_jcs`.execute(db);
  await sql`alter table event drop column if exists leaf_hash`.execute(db);
  await sql`alter table ledger_key drop column if exists private_key_box`.execute(db);
}
