import { type Kysely, sql } from 'kysely';

/**
 * Ledger throughput and key protection:
 * - `event.leaf_hash`: the entry's leaf hash, computed by the writer in its own transaction, so the
 *   integrator reads 40 bytes per event instead of decoding and re-canonicalising it (null for events
 *   recorded before this migration: the integrator computes those itself);
 * - `event.data_jcs`: the RFC 8785 text of `data` as it went into the entry, so the verifier hashes it
 *   as stored and lets the database check `data_jcs::jsonb = data` (a changed `data` is still caught);
 * - `ledger_next_ids(n)`: draws a writer's event ids and registers the first of them as in flight (a
 *   transaction-level shared advisory lock keyed by the id, held until commit), under a session-level
 *   shared lock held only for the call;
 * - `ledger_horizon()`: the highest id below which nothing can still commit — the smallest id still
 *   registered in flight in this database, else the sequence's last value — read under the exclusive
 *   form of that session lock, which waits only for writers inside `ledger_next_ids` (microseconds),
 *   never for whole transactions, and ignores transactions that recorded no event (or run in another
 *   database of the cluster);
 * - `ledger_key.private_key_box`: private signing keys encrypted with the node's secret box; the
 *   clear `private_key` column becomes nullable and is emptied by the service on first start (a
 *   migration has no access to the node's secret).
 */
/** Advisory lock keys: SEQ_LOCK as in ledger.repository.ts; in-flight ids are IN_FLIGHT + id. */
const SEQ_LOCK = 0x6c656467;
const IN_FLIGHT_CLASS = 0x6c650000; // high 32 bits of the bigint key: ids below 2^48 fit beside it

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table event add column leaf_hash bytea`.execute(db);
  await sql`alter table event add column data_jcs text`.execute(db);
  await sql
    .raw(
      `create function ledger_next_ids(n integer) returns setof bigint language plpgsql as $$
    declare
      ids bigint[];
    begin
      perform pg_advisory_lock_shared(${SEQ_LOCK});
      begin
        select array_agg(nextval('event_id_seq')) into ids from generate_series(1, n);
        perform pg_advisory_xact_lock_shared((${IN_FLIGHT_CLASS}::bigint << 32) + ids[1]);
      exception when others then
        perform pg_advisory_unlock_shared(${SEQ_LOCK});
        raise;
      end;
      perform pg_advisory_unlock_shared(${SEQ_LOCK});
      return query select unnest(ids);
    end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create function ledger_horizon() returns bigint language plpgsql as $$
    declare
      h bigint;
    begin
      perform pg_advisory_lock(${SEQ_LOCK});
      select coalesce(
          min(((l.classid::bigint - ${IN_FLIGHT_CLASS}) << 32) + l.objid::bigint) - 1,
          (select case when is_called then last_value else 0 end from event_id_seq))
        into h
        from pg_locks l
        where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
          and l.database = (select oid from pg_database where datname = current_database())
          and l.classid::bigint >= ${IN_FLIGHT_CLASS} and l.classid::bigint < ${IN_FLIGHT_CLASS + 0x10000};
      perform pg_advisory_unlock(${SEQ_LOCK});
      return h;
    end $$`,
    )
    .execute(db);
  await sql`alter table ledger_key add column private_key_box text`.execute(db);
  await sql`alter table ledger_key alter column private_key drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists ledger_horizon()`.execute(db);
  await sql`drop function if exists ledger_next_ids(integer)`.execute(db);
  await sql`alter table event drop column if exists data_jcs`.execute(db);
  await sql`alter table event drop column if exists leaf_hash`.execute(db);
  await sql`alter table ledger_key drop column if exists private_key_box`.execute(db);
}
