import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';

/** Advisory lock key guarding event sequencing ("govhub-ledger"). */
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

interface RawVerifyRow {
  seq: string;
  leaf_hash: Buffer;
  event_id: string;
  id: string | null;
  occurred_at: Date;
  type: string;
  actor_kind: string;
  actor_id: string | null;
  org_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  request_id: string | null;
  data_jcs: string | null;
  data_text: string | null;
  data_ok: boolean;
  digest: Buffer | null;
}

export interface VerifyRow {
  seq: number;
  eventId: number;
  leafHash: Buffer;
  /** null: the event row is gone. */
  id: number | null;
  occurredAt: Date;
  type: string;
  actorKind: string;
  actorId: string | null;
  orgId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  requestId: string | null;
  dataJcs: string | null;
  dataText: string | null;
  /** The `data` column still equals the logged `data_jcs`. */
  dataOk: boolean;
  personalDigest: Buffer | null;
}

const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

export const ledgerRepository = {
  /**
   * Takes the shared sequencing lock (held until the caller's transaction ends) and then draws `n`
   * event ids, in one call: the integrator never sequences past an id still in flight.
   */
  async nextIds(trx: Executor, n: number): Promise<number[]> {
    const r = await sql<{ id: string }>`select ledger_next_ids(${n}::integer) as id`.execute(trx);
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  },

  /**
   * The highest event id below which nothing can still commit: taken under the exclusive lock, so
   * every writer that drew an id before it has committed or rolled back. Bounded wait (250 ms): a
   * long transaction that recorded an event must not stall every new writer queued behind this
   * exclusive request; the integrator simply tries again on its next tick (error 55P03).
   */
  async watermark(db: Executor): Promise<number> {
    const r = await sql<{ m: string | number | null }>`select ledger_watermark() as m`.execute(db);
    return Number(r.rows[0]?.m ?? 0);
  },

  /** Serialises log creation (state row and first keys). */
  async lockInit(trx: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${SEQ_LOCK + 1})`.execute(trx);
  },

  async countEventsAfter(db: Executor, afterId: number): Promise<number> {
    const r = await db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '>', String(afterId))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async countEventsUpTo(db: Executor, upTo: number): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from event where id <= ${upTo}`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },

  async state(db: Executor, forUpdate = false) {
    let q = db.selectFrom('ledger_state').selectAll().where('id', '=', 1);
    if (forUpdate) {
      q = q.forUpdate();
    }
    const r = await q.executeTakeFirst();
    return r
      ? { ...r, size: Number(r.size), last_event_id: Number(r.last_event_id), root: buf(r.root) }
      : undefined;
  },

  async insertState(db: Executor, origin: string, hashAlg: string, root: Buffer): Promise<void> {
    await db
      .insertInto('ledger_state')
      .values({ id: 1, origin, hash_alg: hashAlg, size: 0, root, last_event_id: 0 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },

  async updateState(db: Executor, size: number, root: Buffer, lastEventId: number): Promise<void> {
    await db
      .updateTable('ledger_state')
      .set({ size, root, last_event_id: lastEventId, updated_at: new Date() })
      .where('id', '=', 1)
      .execute();
  },

  /** Ids and writer-computed leaf hashes of the next events to sequence (null hash: older events). */
  async leafHashesAfter(
    db: Executor,
    afterId: number,
    upTo: number,
    limit: number,
  ): Promise<Array<{ id: number; leafHash: Buffer | null }>> {
    const r = await sql<{ id: string; leaf_hash: Buffer | null }>`select id, leaf_hash from event
      where id > ${afterId} and id <= ${upTo} order by id limit ${limit}`.execute(db);
    return r.rows.map((x) => ({ id: Number(x.id), leafHash: x.leaf_hash ? buf(x.leaf_hash) : null }));
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

  async insertLeaves(db: Executor, leaves: Array<{ seq: number; eventId: number; leafHash: Buffer }>) {
    if (leaves.length === 0) {
      return;
    }
    await sql`insert into ledger_leaf (seq, event_id, leaf_hash)
      select s, e, decode(h, 'hex')
      from unnest(${leaves.map((l) => String(l.seq))}::bigint[], ${leaves.map((l) => String(l.eventId))}::bigint[],
        ${leaves.map((l) => l.leafHash.toString('hex'))}::text[]) as t(s, e, h)`.execute(db);
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
  async verifyRows(db: Executor, fromSeq: number, toSeq: number): Promise<VerifyRow[]> {
    const r = await sql<RawVerifyRow>`select l.seq, l.leaf_hash, l.event_id, e.id, e.occurred_at, e.type,
        e.actor_kind, e.actor_id, e.org_id, e.subject_type, e.subject_id, e.request_id, e.data_jcs,
        case when e.data_jcs is null then e.data::text end as data_text,
        (e.data_jcs is null or e.data_jcs::jsonb = e.data) as data_ok, p.digest
      from ledger_leaf l
      left join event e on e.id = l.event_id
      left join ledger_personal p on p.event_id = l.event_id
      where l.seq >= ${fromSeq} and l.seq < ${toSeq}
      order by l.seq`.execute(db);
    return r.rows.map((x) => ({
      seq: Number(x.seq),
      eventId: Number(x.event_id),
      leafHash: buf(x.leaf_hash),
      id: x.id === null ? null : Number(x.id),
      occurredAt: x.occurred_at,
      type: x.type,
      actorKind: x.actor_kind,
      actorId: x.actor_id,
      orgId: x.org_id,
      subjectType: x.subject_type,
      subjectId: x.subject_id,
      requestId: x.request_id,
      dataJcs: x.data_jcs,
      dataText: x.data_text,
      dataOk: x.data_ok === true || (x.data_ok as unknown) === 't',
      personalDigest: x.digest ? buf(x.digest) : null,
    }));
  },

  /** Hash tiles of one level with index in [from, to), by index. */
  async tileRange(db: Executor, level: number, from: number, to: number): Promise<Map<number, Buffer>> {
    const r = await sql<{ idx: string; hashes: Buffer }>`select idx, hashes from ledger_tile
      where level = ${level} and idx >= ${from} and idx < ${to}`.execute(db);
    return new Map(r.rows.map((x) => [Number(x.idx), buf(x.hashes)]));
  },

  /** Events with ids up to `upTo` that are not in the log (inserted behind the integrator's back). */
  async unsequencedEvents(db: Executor, upTo: number): Promise<number[]> {
    const rows = await db
      .selectFrom('event as e')
      .leftJoin('ledger_leaf as l', 'l.event_id', 'e.id')
      .select('e.id')
      .where('e.id', '<=', String(upTo))
      .where('l.seq', 'is', null)
      .orderBy('e.id')
      .limit(10)
      .execute();
    return rows.map((r) => Number(r.id));
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
