import { sql } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { type CopyBatch, copyBinaryBatches, CopyCursor } from '../platform/db/copy-binary.js';
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
  /** The event's id is at or below the state's last event id, as every sequenced event's is. */
  sequenced: boolean;
}

/**
 * The entry text the database writes from an event's columns (`e`, with its personal digest `p`): the
 * same bytes as `entryText` (tests hold them equal); null for events logged before `data_jcs`.
 */
const ENTRY_SQL = `case when e.data_jcs is not null then '{"actor":{"id":' || coalesce(to_json(e.actor_id)::text, 'null')
  || ',"kind":' || to_json(e.actor_kind)::text
  || '},"at":"' || to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  || '","data":' || e.data_jcs || ',"id":' || e.id::text
  || ',"org":' || coalesce(to_json(e.org_id)::text, 'null')
  || ',"personal":' || coalesce('"' || encode(p.digest, 'hex') || '"', 'null')
  || ',"req":' || coalesce(to_json(e.request_id)::text, 'null')
  || ',"subject":{"id":' || coalesce(to_json(e.subject_id)::text, 'null')
  || ',"type":' || coalesce(to_json(e.subject_type)::text, 'null')
  || '},"type":' || to_json(e.type)::text || ',"v":1}' end`;

/** The `data` column still equals the logged `data_jcs` (and the time its logged form). */
const DATA_OK_SQL = `(e.data_jcs is null or (e.data_jcs::jsonb = e.data
  and date_trunc('milliseconds', e.occurred_at) = e.occurred_at))`;

const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

export const ledgerRepository = {
  /**
   * Draws `n` event ids and registers them as in flight until the caller's transaction ends (see
   * migration 0009's `ledger_next_ids`): the integrator never sequences past an id still in flight.
   */
  async nextIds(trx: Executor, n: number): Promise<number[]> {
    const r = await sql<{ id: string }>`select ledger_next_ids(${n}::integer) as id`.execute(trx);
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  },

  /** Whether the transaction has not written anything yet (no transaction id assigned). */
  async transactionIsFresh(trx: Executor): Promise<boolean> {
    const r = await sql<{
      fresh: boolean;
    }>`select pg_current_xact_id_if_assigned() is null as fresh`.execute(trx);
    return r.rows[0]?.fresh === true;
  },

  /** Serialises log creation (state row and first keys). */
  async lockInit(trx: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${SEQ_LOCK + 1})`.execute(trx);
  },

  async countEventsAfter(db: Executor, afterId: number): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from event where id > ${afterId}`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
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
      ? {
          ...r,
          size: Number(r.size),
          last_event_id: Number(r.last_event_id),
          root: buf(r.root),
        }
      : undefined;
  },

  async insertState(db: Executor, origin: string, hashAlg: string, root: Buffer): Promise<void> {
    await db
      .insertInto('ledger_state')
      .values({ id: 1, origin, hash_alg: hashAlg, size: 0, root, last_event_id: 0 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },

  /** Every event id up to this has committed or rolled back (see migration 0009's `ledger_horizon`). */
  async horizon(db: Executor): Promise<number> {
    const r = await sql<{ h: string | null }>`select ledger_horizon() as h`.execute(db);
    return Number(r.rows[0]?.h ?? 0);
  },

  /**
   * The integrator's read, in one round trip and no transaction: the state row and the next events
   * after its last event id up to `horizon`, in id order, with their writer-computed leaf hashes (null:
   * recorded before writers hashed their own). The horizon must come from an earlier statement: this
   * one's snapshot then sees every event at or below it that committed.
   */
  async stateAndNext(db: Executor, horizon: number, limit: number) {
    const r = await sql<{
      size: string;
      last_event_id: string;
      id: string | null;
      leaf_hash: Buffer | null;
    }>`select s.size, s.last_event_id, e.id, e.leaf_hash
      from ledger_state s
      left join lateral (
        select id, leaf_hash from event
        where id > s.last_event_id and id <= ${horizon}
        order by id
        limit ${limit}
      ) e on true
      where s.id = 1`.execute(db);
    const first = r.rows[0];
    if (!first) {
      return undefined;
    }
    return {
      size: Number(first.size),
      lastEventId: Number(first.last_event_id),
      rows: r.rows
        .filter((x) => x.id !== null)
        .map((x) => ({ id: Number(x.id), leafHash: x.leaf_hash ? buf(x.leaf_hash) : null })),
    };
  },

  /**
   * The integrator's write, one atomic statement: the state moves from `fromSize` to the new size,
   * root and last event id, and only if it did (compare-and-swap: another integrator may have been first)
   * are the leaves and tiles written. Returns whether it happened.
   */
  async appendLeaves(
    db: Executor,
    w: {
      fromSize: number;
      size: number;
      root: Buffer;
      lastEventId: number;
      eventIds: readonly number[];
      hashes: readonly Buffer[];
      tiles: ReadonlyArray<{ level: number; index: number; hashes: Buffer[] }>;
    },
  ): Promise<boolean> {
    const tileBytes = w.tiles.map((t) => Buffer.concat(t.hashes));
    const offsets: number[] = [];
    let at = 0;
    for (const b of tileBytes) {
      offsets.push(at);
      at += b.length;
    }
    const r = await sql<{ n: string }>`with s as (
        update ledger_state
        set size = ${w.size}, root = ${w.root}, last_event_id = ${w.lastEventId}, updated_at = now()
        where id = 1 and size = ${w.fromSize}
        returning 1
      ), l as (
        insert into ledger_leaf (seq, event_id, leaf_hash)
        select ${w.fromSize}::bigint + o - 1, e,
          substring(${Buffer.concat(w.hashes)}::bytea from (o::integer - 1) * 32 + 1 for 32)
        from unnest(${w.eventIds.map(String)}::bigint[]) with ordinality as t(e, o)
        where exists (select 1 from s)
      ), t as (
        insert into ledger_tile (level, idx, hashes)
        select lv, ix, substring(${Buffer.concat(tileBytes)}::bytea from off + 1 for len)
        from unnest(${w.tiles.map((t) => t.level)}::integer[], ${w.tiles.map((t) => String(t.index))}::bigint[],
          ${offsets}::integer[], ${tileBytes.map((b) => b.length)}::integer[]) as u(lv, ix, off, len)
        where exists (select 1 from s)
        on conflict (level, idx) do update set hashes = excluded.hashes
      )
      select count(*) as n from s`.execute(db);
    return Number(r.rows[0]?.n ?? 0) === 1;
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

  /** The state's size and root with the latest checkpoint's, in one read. */
  async stateAndLatestCheckpoint(db: Executor) {
    const r = await sql<{ size: string; root: Buffer; cp_size: string | null; cp_root: Buffer | null }>`
      select s.size, s.root, c.size as cp_size, c.root as cp_root
      from ledger_state s
      left join lateral (select size, root from ledger_checkpoint order by size desc limit 1) c on true
      where s.id = 1`.execute(db);
    const x = r.rows[0];
    if (!x) {
      return undefined;
    }
    return {
      st: { size: Number(x.size), root: buf(x.root) },
      last: x.cp_size === null ? undefined : { size: Number(x.cp_size), root: buf(x.cp_root) },
    };
  },

  /** Inserts a checkpoint unless one at this size or beyond exists; whether it did. */
  async insertCheckpointIfNewest(db: Executor, size: number, root: Buffer, note: string): Promise<boolean> {
    const r = await sql<{ size: string }>`insert into ledger_checkpoint (size, root, note)
      select ${size}, ${root}, ${note}
      where not exists (select 1 from ledger_checkpoint where size >= ${size})
      on conflict (size) do nothing
      returning size`.execute(db);
    return r.rows.length === 1;
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
  async verifyRows(db: Executor, lastEventId: number, fromSeq: number, toSeq: number): Promise<VerifyRow[]> {
    // One pass in seq order; the event is looked up per leaf (a LATERAL fenced with OFFSET 0, so the
    // planner cannot turn it into a scan of the whole event table per chunk).
    const r = await sql<RawVerifyRow>`select l.seq, l.event_id,
        substring(t.hashes from (l.seq % 256)::integer * 32 + 1 for 32) = l.leaf_hash as leaf_ok,
        e.present, e.entry, e.data_ok, e.sequenced
      from ledger_leaf l
      left join ledger_tile t on t.level = 0 and t.idx = l.seq / 256
      left join lateral (
        select true as present, ${sql.raw(ENTRY_SQL)} as entry, ${sql.raw(DATA_OK_SQL)} as data_ok,
          e.id <= ${lastEventId}::bigint as sequenced
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

  /**
   * PostgreSQL only: what the verifier reads, as two ordered binary COPY streams on their own
   * connections, merged by the caller — the leaves in seq order (seq, event_id, leaf_hash) and the
   * events in id order (id, entry text as `verifyRows` writes it, data_ok): two sequential scans instead
   * of a join with a lookup per leaf. `close()` ends both (a stream not read to its end drops its
   * connection).
   */
  async verifyStreams(
    pool: pg.Pool,
    db: Executor,
    size: number,
    /** A stage the event batches pass through (hashing the entries in worker threads). */
    eventStage?: (batches: AsyncIterable<CopyBatch>) => AsyncIterable<CopyBatch>,
  ): Promise<{ leaves: CopyCursor; events: CopyCursor; close(): Promise<void> }> {
    const r = await sql<{ m: string | null }>`select max(event_id) as m from ledger_leaf`.execute(db);
    const maxEvent = Math.trunc(Number(r.rows[0]?.m ?? 0));
    const n = Math.trunc(size);
    const opened: Array<() => Promise<void>> = [];
    const open = async (
      text: string,
      stage: (b: AsyncIterable<CopyBatch>) => AsyncIterable<CopyBatch> = (b) => b,
    ): Promise<CopyCursor> => {
      const client = await pool.connect();
      const pid = (client as unknown as { processID?: number }).processID;
      const stream = client.query(copyStreams.to(text, { objectMode: true, highWaterMark: 64 }));
      let released = false;
      const release = (err?: Error) => {
        if (!released) {
          released = true;
          client.release(err);
        }
      };
      const settled = new Promise<void>((resolve) => {
        stream.on('end', () => {
          release();
          resolve();
        });
        stream.on('error', () => resolve());
      });
      opened.push(async () => {
        if (released) {
          return;
        }
        // Stopped early (a problem was found): cancel the COPY and keep the connection (and whatever
        // session state it holds) for the pool; drop it only if the cancel does not end the stream.
        if (pid !== undefined) {
          await pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
        }
        stream.resume();
        const ok = await Promise.race([
          settled.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref()),
        ]);
        release(ok ? undefined : new Error('verifier stopped reading'));
      });
      return new CopyCursor(stage(copyBinaryBatches(stream)));
    };
    const leaves = await open(`copy (select seq, event_id, leaf_hash from ledger_leaf
      where seq < ${n} order by seq) to stdout (format binary)`);
    const events = await open(
      `copy (select e.id, ${ENTRY_SQL} as entry, ${DATA_OK_SQL} as data_ok
      from event e left join ledger_personal p on p.event_id = e.id
      where e.id <= ${maxEvent} order by e.id) to stdout (format binary)`,
      eventStage,
    );
    return {
      leaves,
      events,
      close: async () => {
        await Promise.all(opened.map((end) => end()));
      },
    };
  },

  /** Hash tiles of one level with index in [from, to), by index. */
  async tileRange(db: Executor, level: number, from: number, to: number): Promise<Map<number, Buffer>> {
    const r = await sql<{ idx: string; hashes: Buffer }>`select idx, hashes from ledger_tile
      where level = ${level} and idx >= ${from} and idx < ${to}`.execute(db);
    return new Map(r.rows.map((x) => [Number(x.idx), buf(x.hashes)]));
  },

  /** Events with ids up to `upTo` that are not in the log (inserted behind the integrator's back). */
  async unsequencedEvents(db: Executor, upTo: number): Promise<number[]> {
    const r = await sql<{ id: string }>`select e.id from event e
      left join ledger_leaf l on l.event_id = e.id
      where e.id <= ${upTo} and l.seq is null
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
