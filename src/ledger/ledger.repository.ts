import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { EntrySource } from './entry.js';

/** Advisory lock key ("govhub-ledger"); SEQ_LOCK + 1 serialises log creation. */
const SEQ_LOCK = 0x6c656467;

export interface IntegrationRow {
  id: number;
  occurred_at: Date;
  type: string;
  actor_kind: string;
  actor_id: string | null;
  org_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  data: Record<string, unknown>;
  request_id: string | null;
  digest: Buffer | null;
}

export interface SeqEntryRow extends IntegrationRow {
  seq: number;
  event_id: number;
  leaf_hash: Buffer;
}

/** Position of the integrator: the (xid, id) of the last event sequenced. */
export interface Cursor {
  xid: string;
  id: number;
}

interface RawVerifyRow {
  seq: string;
  event_id: string;
  leaf_ok: boolean | null;
  present: boolean | null;
  entry: string | null;
  data_ok: boolean | null;
  sequenced: boolean | null;
}

/**
 * One entry as the verifier reads it: whether the stored leaf hash agrees with its level-0 tile, and
 * the entry text the database wrote from the event's columns (or, for events logged before
 * `data_jcs`, the columns themselves in `source`).
 */
export interface VerifyRow {
  seq: number;
  eventId: number;
  /** ledger_leaf.leaf_hash equals the hash at this position in its level-0 tile. */
  leafOk: boolean;
  /** The event row exists. */
  present: boolean;
  entry: string | null;
  source?: EntrySource;
  /** The `data` column still equals the logged `data_jcs` (and the time its logged form). */
  dataOk: boolean;
  /** The event's (xid, id) is at or before the integrator's cursor, as every sequenced event's is. */
  sequenced: boolean;
}

const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

export const ledgerRepository = {
  /** Draws `n` event ids (the writer needs them to canonicalise and hash its entries before insert). */
  async nextIds(trx: Executor, n: number): Promise<number[]> {
    const r = await sql<{
      id: string;
    }>`select nextval('event_id_seq') as id from generate_series(1, ${n}::integer)`.execute(trx);
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  },

  /** Serialises log creation (state row and first keys). */
  async lockInit(trx: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${SEQ_LOCK + 1})`.execute(trx);
  },

  /** Events after the cursor (not yet integrated, committed or not yet visible). */
  async countEventsAfter(db: Executor, cursor: Cursor): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from event
      where (xid, id) > (${cursor.xid}::xid8, ${cursor.id}::bigint)`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },

  /** Events at or before the cursor (all of them must be in the log). */
  async countEventsUpTo(db: Executor, cursor: Cursor): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from event
      where (xid, id) <= (${cursor.xid}::xid8, ${cursor.id}::bigint)`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },

  async state(db: Executor, forUpdate = false) {
    let q = db.selectFrom('ledger_state').selectAll().where('id', '=', 1);
    if (forUpdate) {
      q = q.forUpdate();
    }
    const r = await q.executeTakeFirst();
    return r
      ? {
          ...r,
          size: Number(r.size),
          last_event_id: Number(r.last_event_id),
          root: buf(r.root),
          cursor: { xid: String(r.last_xid ?? '0'), id: Number(r.last_event_id) } as Cursor,
        }
      : undefined;
  },

  async insertState(db: Executor, origin: string, hashAlg: string, root: Buffer): Promise<void> {
    await db
      .insertInto('ledger_state')
      .values({ id: 1, origin, hash_alg: hashAlg, size: 0, root, last_event_id: 0, last_xid: '0' })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },

  async updateState(db: Executor, size: number, root: Buffer, cursor: Cursor): Promise<void> {
    await db
      .updateTable('ledger_state')
      .set({ size, root, last_event_id: cursor.id, last_xid: cursor.xid, updated_at: new Date() })
      .where('id', '=', 1)
      .execute();
  },

  /**
   * The next events to sequence, in (xid, id) order after the cursor, with their writer-computed leaf
   * hashes (null: recorded before writers hashed their own). Only transactions older than the oldest
   * one still running are read — they have all committed or rolled back, so nothing can appear later
   * before the last row returned: the log has no gap, and no writer is made to wait.
   */
  async nextToSequence(
    db: Executor,
    cursor: Cursor,
    limit: number,
  ): Promise<Array<{ id: number; xid: string; leafHash: Buffer | null }>> {
    const r = await sql<{
      id: string;
      xid: string;
      leaf_hash: Buffer | null;
    }>`select id, xid::text as xid, leaf_hash
      from event
      where (xid, id) > (${cursor.xid}::xid8, ${cursor.id}::bigint)
        and xid < pg_snapshot_xmin(pg_current_snapshot())
      order by xid, id
      limit ${limit}`.execute(db);
    return r.rows.map((x) => ({
      id: Number(x.id),
      xid: x.xid,
      leafHash: x.leaf_hash ? buf(x.leaf_hash) : null,
    }));
  },

  /** Full rows of some events (those recorded before writers computed their own leaf hash). */
  async eventsIn(db: Executor, ids: number[]): Promise<IntegrationRow[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await db
      .selectFrom('event as e')
      .leftJoin('ledger_personal as p', 'p.event_id', 'e.id')
      .select([
        'e.id',
        'e.occurred_at',
        'e.type',
        'e.actor_kind',
        'e.actor_id',
        'e.org_id',
        'e.subject_type',
        'e.subject_id',
        'e.data',
        'e.request_id',
        'p.digest',
      ])
      .where(
        'e.id',
        'in',
        ids.map((i) => String(i)),
      )
      .orderBy('e.id')
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), digest: r.digest ? buf(r.digest) : null }));
  },

  /** Leaves firstSeq, firstSeq+1, …: event ids as one array, hashes as one concatenated bytea. */
  async insertLeaves(db: Executor, firstSeq: number, eventIds: readonly number[], hashes: readonly Buffer[]) {
    if (eventIds.length === 0) {
      return;
    }
    await sql`insert into ledger_leaf (seq, event_id, leaf_hash)
      select ${firstSeq}::bigint + o - 1, e, substring(${Buffer.concat(hashes)}::bytea from (o::integer - 1) * 32 + 1 for 32)
      from unnest(${eventIds.map(String)}::bigint[]) with ordinality as t(e, o)`.execute(db);
  },

  async upsertTiles(db: Executor, tiles: Array<{ level: number; index: number; hashes: Buffer[] }>) {
    if (tiles.length === 0) {
      return;
    }
    await db
      .insertInto('ledger_tile')
      .values(tiles.map((t) => ({ level: t.level, idx: t.index, hashes: Buffer.concat(t.hashes) })))
      .onConflict((oc) =>
        oc.columns(['level', 'idx']).doUpdateSet((eb) => ({ hashes: eb.ref('excluded.hashes') })),
      )
      .execute();
  },

  async tiles(db: Executor, keys: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (keys.length === 0) {
      return out;
    }
    const rows = await db
      .selectFrom('ledger_tile')
      .selectAll()
      .where((eb) => eb.or(keys.map((k) => eb.and([eb('level', '=', k.level), eb('idx', '=', k.index)]))))
      .execute();
    for (const r of rows) {
      out.set(`${r.level}/${Number(r.idx)}`, buf(r.hashes));
    }
    return out;
  },

  async allTiles(db: Executor) {
    const rows = await db.selectFrom('ledger_tile').selectAll().orderBy('level').orderBy('idx').execute();
    return rows.map((r) => ({ level: r.level, index: Number(r.idx), hashes: buf(r.hashes) }));
  },

  async insertCheckpoint(db: Executor, size: number, root: Buffer, note: string): Promise<void> {
    await db
      .insertInto('ledger_checkpoint')
      .values({ size, root, note })
      .onConflict((oc) => oc.column('size').doNothing())
      .execute();
  },

  async latestCheckpoint(db: Executor) {
    const r = await db
      .selectFrom('ledger_checkpoint')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { size: Number(r.size), root: buf(r.root), note: r.note, createdAt: r.created_at } : undefined;
  },

  async checkpoints(db: Executor, afterSize: number, limit: number) {
    const rows = await db
      .selectFrom('ledger_checkpoint')
      .selectAll()
      .where('size', '>', afterSize)
      .orderBy('size')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      size: Number(r.size),
      root: buf(r.root),
      note: r.note,
      createdAt: r.created_at,
    }));
  },

  async cosignatures(db: Executor, sizes: number[]) {
    if (sizes.length === 0) {
      return [];
    }
    const rows = await db.selectFrom('ledger_cosignature').selectAll().where('size', 'in', sizes).execute();
    return rows.map((r) => ({ size: Number(r.size), witness: r.witness, line: r.line }));
  },

  async insertCosignature(db: Executor, size: number, witness: string, line: string): Promise<void> {
    await db
      .insertInto('ledger_cosignature')
      .values({ size, witness, line })
      .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
      .execute();
  },

  async keys(db: Executor, purpose?: string) {
    let q = db.selectFrom('ledger_key').selectAll().orderBy('created_at');
    if (purpose) {
      q = q.where('purpose', '=', purpose);
    }
    const rows = await q.execute();
    return rows.map((r) => ({
      ...r,
      public_key: buf(r.public_key),
      private_key: r.private_key ? buf(r.private_key) : null,
    }));
  },

  async insertKey(
    db: Executor,
    k: {
      keyId: string;
      name: string;
      alg: string;
      purpose: string;
      publicKey: Buffer;
      privateKeyBox: string;
    },
  ): Promise<void> {
    await db
      .insertInto('ledger_key')
      .values({
        key_id: k.keyId,
        name: k.name,
        alg: k.alg,
        purpose: k.purpose,
        public_key: k.publicKey,
        private_key: null,
        private_key_box: k.privateKeyBox,
      })
      .execute();
  },

  /** Replaces a key's clear private key by its sealed form. */
  async sealKey(db: Executor, keyId: string, box: string): Promise<void> {
    await db
      .updateTable('ledger_key')
      .set({ private_key: null, private_key_box: box })
      .where('key_id', '=', keyId)
      .execute();
  },

  async retireKeys(db: Executor, purpose: string, alg: string): Promise<void> {
    await db
      .updateTable('ledger_key')
      .set({ retired_at: new Date() })
      .where('purpose', '=', purpose)
      .where('alg', '=', alg)
      .where('retired_at', 'is', null)
      .execute();
  },

  async insertPersonal(
    db: Executor,
    eventId: number,
    digest: Buffer,
    salt: Buffer,
    data: unknown,
  ): Promise<void> {
    await db
      .insertInto('ledger_personal')
      .values({ event_id: eventId, digest, salt, data: JSON.stringify(data) })
      .execute();
  },

  async personal(db: Executor, eventIds: number[]) {
    if (eventIds.length === 0) {
      return [];
    }
    const rows = await db
      .selectFrom('ledger_personal')
      .selectAll()
      .where('event_id', 'in', eventIds)
      .execute();
    return rows.map((r) => ({ ...r, event_id: Number(r.event_id), digest: buf(r.digest) }));
  },

  async erasePersonal(db: Executor, eventId: number): Promise<boolean> {
    const r = await db
      .updateTable('ledger_personal')
      .set({ salt: null, data: null, erased_at: new Date() })
      .where('event_id', '=', eventId)
      .where('erased_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async leafBy(db: Executor, by: { seq?: number; eventId?: number; leafHash?: Buffer }) {
    let q = db.selectFrom('ledger_leaf').selectAll();
    if (by.seq !== undefined) {
      q = q.where('seq', '=', by.seq);
    }
    if (by.eventId !== undefined) {
      q = q.where('event_id', '=', by.eventId);
    }
    if (by.leafHash !== undefined) {
      q = q.where('leaf_hash', '=', by.leafHash);
    }
    const r = await q.orderBy('seq').limit(1).executeTakeFirst();
    return r ? { seq: Number(r.seq), eventId: Number(r.event_id), leafHash: buf(r.leaf_hash) } : undefined;
  },

  async leavesForEvents(db: Executor, eventIds: number[]) {
    if (eventIds.length === 0) {
      return [];
    }
    const rows = await db.selectFrom('ledger_leaf').selectAll().where('event_id', 'in', eventIds).execute();
    return rows.map((r) => ({ seq: Number(r.seq), eventId: Number(r.event_id), leafHash: buf(r.leaf_hash) }));
  },

  /** Entries by sequence number, each with its event and personal digest (verifier, entry bundles). */
  async entriesBySeq(db: Executor, fromSeq: number, toSeq: number): Promise<SeqEntryRow[]> {
    const rows = await db
      .selectFrom('ledger_leaf as l')
      .leftJoin('event as e', 'e.id', 'l.event_id')
      .leftJoin('ledger_personal as p', 'p.event_id', 'l.event_id')
      .select([
        'l.seq',
        'l.leaf_hash',
        'l.event_id',
        'e.id',
        'e.occurred_at',
        'e.type',
        'e.actor_kind',
        'e.actor_id',
        'e.org_id',
        'e.subject_type',
        'e.subject_id',
        'e.data',
        'e.request_id',
        'p.digest',
      ])
      .where('l.seq', '>=', fromSeq)
      .where('l.seq', '<', toSeq)
      .orderBy('l.seq')
      .execute();
    return rows.map((r) => ({
      ...(r as unknown as SeqEntryRow),
      seq: Number(r.seq),
      id: r.id === null ? Number.NaN : Number(r.id),
      leaf_hash: buf(r.leaf_hash),
      digest: r.digest ? buf(r.digest) : null,
      event_id: Number(r.event_id),
    }));
  },

  /**
   * Entries [fromSeq, toSeq) as the verifier needs them: the stored leaf, the event's columns with
   * `data` in its logged RFC 8785 text (`data_jcs`) and the database's own check that the `data`
   * column still equals it; events older than `data_jcs` come with their `data` as JSON text.
   */
  async verifyRows(db: Executor, cursor: Cursor, fromSeq: number, toSeq: number): Promise<VerifyRow[]> {
    // One pass in seq order; the event is looked up per leaf (a LATERAL fenced with OFFSET 0, so the
    // planner cannot turn it into a scan of the whole event table per chunk).
    const r = await sql<RawVerifyRow>`select l.seq, l.event_id,
        substring(t.hashes from (l.seq % 256)::integer * 32 + 1 for 32) = l.leaf_hash as leaf_ok,
        e.present, e.entry, e.data_ok, e.sequenced
      from ledger_leaf l
      left join ledger_tile t on t.level = 0 and t.idx = l.seq / 256
      left join lateral (
        select true as present,
          case when e.data_jcs is not null then '{"actor":{"id":' || coalesce(to_json(e.actor_id)::text, 'null')
            || ',"kind":' || to_json(e.actor_kind)::text
            || '},"at":"' || to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            || '","data":' || e.data_jcs || ',"id":' || e.id::text
            || ',"org":' || coalesce(to_json(e.org_id)::text, 'null')
            || ',"personal":' || coalesce('"' || encode(p.digest, 'hex') || '"', 'null')
            || ',"req":' || coalesce(to_json(e.request_id)::text, 'null')
            || ',"subject":{"id":' || coalesce(to_json(e.subject_id)::text, 'null')
            || ',"type":' || coalesce(to_json(e.subject_type)::text, 'null')
            || '},"type":' || to_json(e.type)::text || ',"v":1}' end as entry,
          e.data_jcs is null or (e.data_jcs::jsonb = e.data
            and date_trunc('milliseconds', e.occurred_at) = e.occurred_at) as data_ok,
          (e.xid, e.id) <= (${cursor.xid}::xid8, ${cursor.id}::bigint) as sequenced
        from event e
        left join ledger_personal p on p.event_id = e.id
        where e.id = l.event_id
        offset 0
      ) e on true
      where l.seq >= ${fromSeq} and l.seq < ${toSeq}
      order by l.seq`.execute(db);
    const rows = r.rows;
    const out: VerifyRow[] = new Array(rows.length);
    let older: number[] | undefined;
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i] as RawVerifyRow;
      const eventId = Number(x.event_id);
      out[i] = {
        seq: Number(x.seq),
        eventId,
        leafOk: x.leaf_ok !== false,
        present: x.present === true,
        entry: x.entry,
        dataOk: x.data_ok !== false,
        sequenced: x.sequenced !== false,
      };
      if (x.present && x.entry === null) {
        (older ??= []).push(eventId);
      }
    }
    if (older) {
      // Events logged before data_jcs existed: their columns, canonicalised by the caller.
      const full = new Map((await this.eventsIn(db, older)).map((e) => [e.id, e]));
      for (const v of out) {
        const e = v.entry === null && v.present ? full.get(v.eventId) : undefined;
        if (e) {
          v.source = {
            id: e.id,
            occurredAt: e.occurred_at,
            type: e.type,
            actorKind: e.actor_kind,
            actorId: e.actor_id,
            orgId: e.org_id,
            subjectType: e.subject_type,
            subjectId: e.subject_id,
            data: e.data,
            requestId: e.request_id,
            personalDigest: e.digest,
          };
        }
      }
    }
    return out;
  },

  /** Hash tiles of one level with index in [from, to), by index. */
  async tileRange(db: Executor, level: number, from: number, to: number): Promise<Map<number, Buffer>> {
    const r = await sql<{ idx: string; hashes: Buffer }>`select idx, hashes from ledger_tile
      where level = ${level} and idx >= ${from} and idx < ${to}`.execute(db);
    return new Map(r.rows.map((x) => [Number(x.idx), buf(x.hashes)]));
  },

  /** Events at or before the cursor that are not in the log (inserted behind the integrator's back). */
  async unsequencedEvents(db: Executor, cursor: Cursor): Promise<number[]> {
    const r = await sql<{ id: string }>`select e.id from event e
      left join ledger_leaf l on l.event_id = e.id
      where (e.xid, e.id) <= (${cursor.xid}::xid8, ${cursor.id}::bigint) and l.seq is null
      order by e.id limit 10`.execute(db);
    return r.rows.map((x) => Number(x.id));
  },

  async witnessedLog(db: Executor, origin: string, forUpdate = false) {
    let q = db.selectFrom('ledger_witnessed_log').selectAll().where('origin', '=', origin);
    if (forUpdate) {
      q = q.forUpdate();
    }
    const r = await q.executeTakeFirst();
    return r ? { ...r, size: Number(r.size), root: r.root ? buf(r.root) : null } : undefined;
  },

  async upsertWitnessedLog(db: Executor, origin: string, vkey: string, size: number, root: Buffer | null) {
    await db
      .insertInto('ledger_witnessed_log')
      .values({ origin, vkey, size, root })
      .onConflict((oc) => oc.column('origin').doUpdateSet({ vkey, size, root, updated_at: new Date() }))
      .execute();
  },
};
