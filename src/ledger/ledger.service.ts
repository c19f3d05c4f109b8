import type { BackgroundTask } from '../platform/background.js';
import type { Access } from '../identity/access.js';
import { type Actor, actorId, actorOrg } from '../identity/actor.js';
import os from 'node:os';
import type pg from 'pg';
import type { Db, Executor } from '../platform/db/database.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { canonicalizeJson } from './canonical-json.js';
import {
  entryBytes,
  entryFields,
  type EntrySource,
  entryText,
  leafHashOfText,
  newSalt,
  personalDigest,
} from './entry.js';
import { type EventQuery, eventRepository, type NewEntryRow } from './event.repository.js';
import { type IntegrationRow, ledgerRepository as repo, type VerifyRow } from './ledger.repository.js';
import {
  consistencyRanges,
  encodeBundle,
  emptyRoot,
  type HashAlg,
  inclusionRanges,
  type NodeId,
  nodeTile,
  rangeHash,
  rangeNodes,
  splitHashes,
  TILE_WIDTH,
  TileBuilder,
  tileWidth,
  verifyConsistency,
} from './merkle.js';
import {
  addSignatures,
  checkpointBody,
  generateKey,
  keyIdOf,
  makeSigner,
  makeVerifier,
  parseCheckpointBody,
  parseNote,
  parseVkey,
  type SigAlg,
  type Signer,
  signNote,
  type Verifier,
  verifyNote,
  vkeyOf,
} from './note.js';
import type { LedgerOptions } from './options.js';
import { RecentLeaves } from './recent-leaves.js';
import { TileCache } from './tile-cache.js';
import { SecretBox } from '../platform/secrets.js';
import { type LogSource, type SourceEntry, verifyLog, type VerifyReport } from './verifier.js';
import type { CopyCursor } from '../platform/db/copy-binary.js';
import { LeafHasher } from './leaf-hasher.js';

export interface EventInput {
  type: string;
  subjectType?: string;
  subjectId?: string;
  /** The organization the event concerns (defaults to the actor's). */
  orgId?: string | null;
  data?: Record<string, unknown>;
  /** Personal data: stored beside the entry, only its salted digest is in the leaf; erasable. */
  personal?: Record<string, unknown>;
  requestId?: string | null;
}

export interface LedgerRef {
  index: number;
  leafHash: string;
}

export interface EventDto {
  id: number;
  occurredAt: string;
  type: string;
  actor: { kind: string; id: string | null };
  orgId: string | null;
  subject: { type: string | null; id: string | null };
  data: Record<string, unknown>;
  requestId: string | null;
  /** Personal part (null once erased or when there was none). */
  personal?: Record<string, unknown> | null;
  personalDigest?: string | null;
  /** Position in the Merkle log, once integrated. */
  ledger?: LedgerRef | null;
  /** Inclusion proof against the latest checkpoint (when asked for). */
  proof?: { treeSize: number; hashes: string[] } | null;
}

export interface InclusionProofDto {
  index: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
  checkpoint: string;
}

export interface ConsistencyProofDto {
  first: number;
  second: number;
  hashes: string[];
}

export interface ReceiptDto extends InclusionProofDto {
  eventId: number;
}

export type KeyDto = {
  vkey: string;
  alg: string;
  purpose: string;
  createdAt: string;
  retiredAt: string | null;
};

export interface LedgerStatusDto {
  origin: string;
  hashAlg: HashAlg;
  size: number;
  root: string;
  lastEventId: number;
  checkpoint: { size: number; createdAt: string } | null;
  pendingEvents: number;
}

export type { BackgroundTask };

const hex = (b: Buffer) => b.toString('hex');
const LEAF_TILE_DIFFERS = 'stored tree node differs (its leaf hash and its level-0 tile disagree)';
const CONTENT_CHANGED = 'content does not match its leaf hash (changed after it was logged)';
const EMPTY = Buffer.alloc(0);
const BEYOND_LAST = 'its id lies beyond the last sequenced event (changed after it was logged)';
const HEX32 = /^[0-9a-f]{64}$/;

function toSource(r: IntegrationRow) {
  return {
    id: r.id,
    occurredAt: r.occurred_at,
    type: r.type,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    orgId: r.org_id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    data: r.data,
    requestId: r.request_id,
    personalDigest: r.digest,
  };
}

/**
 * The verifiable ledger. Every capability records its events here inside its own transaction (an
 * entry is committed iff the change is); a background integrator sequences committed events into an
 * RFC 9162 Merkle log stored as C2SP tlog tiles and signs C2SP checkpoints; proofs, receipts, tiles
 * and witness cosigning are served from the same store.
 */
export class LedgerService {
  private log: { origin: string; alg: HashAlg } | undefined;
  private builder: TileBuilder | undefined;
  private signers: Signer[] | undefined;
  /** Hash tiles in memory (with their interior levels): proofs and the signing guard read these. */
  private tileCache: TileCache | undefined;
  /** Where recently integrated events sit (event id → seq), for receipts without a query. */
  private readonly recent = new RecentLeaves();
  /** The latest signed checkpoint as this process knows it, and when it was read or signed. */
  private cp: { size: number; root: Buffer; note: string; createdAt: Date; at: number } | undefined;
  private cpRefresh: Promise<unknown> | undefined;
  private readonly witnessSizes = new Map<string, number>();
  private integrating: Promise<number> | undefined;
  private lastSigned = 0;
  private readonly checkpointListeners = new Set<(size: number) => void>();
  /** Back-pressure bookkeeping: highest event id drawn here, highest integrated, whether we integrate. */
  private drawnMax = 0;
  private integratedMax = 0;
  private integratorRunning = false;
  private roundWaiters: Array<() => void> = [];

  private readonly deps: {
    db: Db;
    access: Access;
    options: LedgerOptions;
    secrets: SecretBox;
    /** The server pool (PostgreSQL): the verifier reads the log through COPY on it. */
    pgPool?: pg.Pool | undefined;
  };

  /**
   * `secrets` seals the private signing keys; without one (benchmarks, tools) an ephemeral box is
   * used, so keys created by that instance cannot be opened by any other process.
   */
  constructor(deps: {
    db: Db;
    access: Access;
    options: LedgerOptions;
    secrets?: SecretBox;
    pgPool?: pg.Pool | undefined;
  }) {
    this.deps = {
      ...deps,
      secrets: deps.secrets ?? SecretBox.open({ secretKey: undefined, dataDir: 'memory://ephemeral' }),
    };
  }

  private tilesOf(alg: HashAlg): TileCache {
    this.tileCache ??= new TileCache(alg);
    return this.tileCache;
  }

  // ---- initialisation and keys ----

  /** Creates the log (hash algorithm fixed from now on) and its signing keys, once. */
  async init(ex: Executor = this.deps.db): Promise<{ origin: string; alg: HashAlg }> {
    if (this.log) {
      return this.log;
    }
    let st = await repo.state(ex);
    if (!st) {
      const o = this.deps.options;
      const create = async (trx: Executor) => {
        await repo.lockInit(trx);
        if (await repo.state(trx)) {
          return;
        }
        await repo.insertState(trx, o.origin, o.hashAlg, emptyRoot(o.hashAlg));
        await this.newKey(trx, o.origin, 'ed25519', 'log');
        if (o.sm2) {
          await this.newKey(trx, o.origin, 'sm2', 'log');
        }
        await this.newKey(trx, `${o.origin}/witness`, 'cosig', 'witness');
      };
      if (ex === this.deps.db) {
        await this.deps.db.transaction().execute(create);
      } else {
        await create(ex);
      }
      st = await repo.state(ex);
    }
    if (!st) {
      throw new Error('ledger state missing after init');
    }
    this.log = { origin: st.origin, alg: st.hash_alg as HashAlg };
    return this.log;
  }

  private async newKey(trx: Executor, name: string, alg: SigAlg, purpose: string): Promise<void> {
    const k = generateKey(alg);
    await repo.insertKey(trx, {
      keyId: `${name}+${hex(keyIdOf(name, alg, k.publicKey))}`,
      name,
      alg,
      purpose,
      publicKey: k.publicKey,
      privateKeyBox: this.deps.secrets.encrypt(k.privateKey.toString('base64')),
    });
  }

  /** A key's private half: opened from its sealed form (or, in a store not yet sealed, read in clear). */
  private privateKey(k: { key_id: string; private_key: Buffer | null; private_key_box: string | null }) {
    if (k.private_key_box) {
      try {
        return Buffer.from(this.deps.secrets.decrypt(k.private_key_box), 'base64');
      } catch {
        throw new AppError(500, 'LEDGER_KEY_UNAVAILABLE', 'error.ledger.keyUnavailable', {
          params: { key: k.key_id },
        });
      }
    }
    if (k.private_key) {
      return k.private_key;
    }
    throw new AppError(500, 'LEDGER_KEY_UNAVAILABLE', 'error.ledger.keyUnavailable', {
      params: { key: k.key_id },
    });
  }

  /**
   * Encrypts any private key still stored in clear (stores created before migration 0009) with the
   * node's secret box. Run when the node starts serving and before signing; never by the verifier.
   */
  async sealKeys(ex: Executor = this.deps.db): Promise<number> {
    const clear = (await repo.keys(ex)).filter((k) => k.private_key && !k.private_key_box);
    for (const k of clear) {
      await repo.sealKey(
        ex,
        k.key_id,
        this.deps.secrets.encrypt((k.private_key as Buffer).toString('base64')),
      );
    }
    return clear.length;
  }

  private async logSigners(ex: Executor): Promise<Signer[]> {
    if (!this.signers) {
      await this.sealKeys(ex);
      const keys = (await repo.keys(ex, 'log')).filter((k) => !k.retired_at);
      this.signers = keys.map((k) =>
        makeSigner(k.name, { alg: k.alg as SigAlg, publicKey: k.public_key, privateKey: this.privateKey(k) }),
      );
    }
    return this.signers;
  }

  /** Public keys (verifier keys, C2SP vkey form), current and retired. */
  async keys(): Promise<KeyDto[]> {
    await this.init();
    const keys = await repo.keys(this.deps.db);
    return keys.map((k) => ({
      vkey: vkeyOf({ name: k.name, alg: k.alg as SigAlg, publicKey: k.public_key }),
      alg: k.alg,
      purpose: k.purpose,
      createdAt: k.created_at.toISOString(),
      retiredAt: k.retired_at ? k.retired_at.toISOString() : null,
    }));
  }

  /** Replaces the log's (or witness's) signing key of one algorithm; the old public key stays published. */
  async rotateKey(actor: Actor, input: { alg: 'ed25519' | 'sm2' | 'cosig' }): Promise<KeyDto> {
    await this.deps.access.require(actor, 'ledger.keys.manage');
    const { origin } = await this.init();
    const purpose = input.alg === 'cosig' ? 'witness' : 'log';
    const name = purpose === 'witness' ? `${origin}/witness` : origin;
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.retireKeys(trx, purpose, input.alg);
      await this.newKey(trx, name, input.alg, purpose);
      await this.record(trx, actor, {
        type: 'ledger.key_rotated',
        subjectType: 'ledger_key',
        subjectId: name,
        data: { alg: input.alg, purpose },
      });
    });
    this.signers = undefined;
    const all = await this.keys();
    const fresh = all.filter((k) => k.alg === input.alg && !k.retiredAt).pop();
    if (!fresh) {
      throw new Error('rotated key missing');
    }
    return fresh;
  }

  // ---- recording ----

  /** Records an event inside the caller's transaction: committed if and only if the change is. */
  async record(trx: Executor, actor: Actor, input: EventInput): Promise<number> {
    const [id] = await this.recordMany(trx, actor, [input]);
    return id as number;
  }

  /**
   * Records several events in one statement inside the caller's transaction (bulk writers such as the
   * access-log batcher); same guarantee as `record`.
   */
  async recordMany(trx: Executor, actor: Actor, inputs: readonly EventInput[]): Promise<number[]> {
    if (!trx.isTransaction) {
      // The sequencing lock must cover the insert up to commit: always inside a transaction.
      return this.deps.db.transaction().execute((t) => this.recordMany(t, actor, inputs));
    }
    if (inputs.length === 0) {
      return [];
    }
    const log = this.log ?? (await this.init(trx));
    const limit = this.deps.options.backlog;
    if (limit > 0 && this.integratorRunning && this.drawnMax - this.integratedMax > limit) {
      await this.backPressure(trx, limit);
    }
    // The ids are registered as in flight until this transaction ends (no lock anyone waits for).
    const ids = await repo.nextIds(trx, inputs.length);
    this.drawnMax = Math.max(this.drawnMax, ids[ids.length - 1] ?? 0);
    // The writer canonicalises and hashes its own entries (id and time are fixed here), so the
    // integrator only reads leaf hashes; the verifier later recomputes them from the stored columns.
    const at = new Date();
    const atIso = at.toISOString();
    const kind = actor.kind;
    const who = actorId(actor);
    const personal: Array<{ id: number; digest: Buffer; salt: Buffer; data: Record<string, unknown> }> = [];
    const rows = inputs.map((input, i): NewEntryRow => {
      const id = ids[i] as number;
      let digest: Buffer | null = null;
      if (input.personal) {
        const salt = newSalt();
        digest = personalDigest(log.alg, salt, input.personal);
        personal.push({ id, digest, salt, data: input.personal });
      }
      const row = {
        id,
        type: input.type,
        actor_kind: kind,
        actor_id: who,
        org_id: input.orgId === undefined ? actorOrg(actor) : input.orgId,
        subject_type: input.subjectType ?? null,
        subject_id: input.subjectId ?? null,
        data_jcs: canonicalizeJson(input.data ?? {}),
        request_id: input.requestId ?? null,
      };
      const text = entryText({
        id,
        at: atIso,
        type: row.type,
        actorKind: kind,
        actorId: row.actor_id,
        orgId: row.org_id,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        dataJcs: row.data_jcs,
        requestId: row.request_id,
        personalDigest: digest,
      });
      return { ...row, leaf_hash: leafHashOfText(log.alg, text) };
    });
    await eventRepository.insertEntries(trx, at, rows);
    for (const p of personal) {
      await repo.insertPersonal(trx, p.id, p.digest, p.salt, p.data);
    }
    return ids;
  }

  /**
   * Waits (2 s at most) until the integrator has caught up to within `limit` events — but only if the
   * caller's transaction has written nothing yet (one that has may hold locks others wait for).
   */
  private async backPressure(trx: Executor, limit: number): Promise<void> {
    if (!(await repo.transactionIsFresh(trx))) {
      return;
    }
    const until = Date.now() + 2000;
    while (this.integratorRunning && this.drawnMax - this.integratedMax > limit && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, until - Date.now()));
        this.roundWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Erases the personal part of an event; its digest stays in the leaf, so every proof still verifies. */
  async erasePersonal(actor: Actor, eventId: number): Promise<{ eventId: number; erased: boolean }> {
    await this.deps.access.require(actor, 'event.redact');
    return this.deps.db.transaction().execute(async (trx) => {
      const [p] = await repo.personal(trx, [eventId]);
      if (!p) {
        throw new NotFoundError('LEDGER_PERSONAL_NOT_FOUND', 'error.ledger.personalNotFound', {
          params: { id: eventId },
        });
      }
      const erased = await repo.erasePersonal(trx, eventId);
      if (erased) {
        await this.record(trx, actor, {
          type: 'ledger.personal_erased',
          subjectType: 'event',
          subjectId: String(eventId),
          orgId: null,
          data: { digest: hex(p.digest) },
        });
      }
      return { eventId, erased };
    });
  }

  // ---- integration and checkpoints ----

  /**
   * Sequences every committed event not yet in the log — in id order, never past an id still in flight
   * (`ledger_horizon()`), so nothing can later appear behind it — appends their leaves to the tiles
   * and signs a checkpoint. Safe to call from any process:
   * each batch is written by one compare-and-swap statement on the state row. `maxMs` bounds the
   * call (the background loop's turn); by default it runs until it has caught up.
   */
  async integrate(opts: { maxMs?: number } = {}): Promise<number> {
    // One integration at a time per process; callers share the running one.
    if (this.integrating) {
      return this.integrating;
    }
    this.integrating = this.integrateNow(opts.maxMs ?? Number.POSITIVE_INFINITY).finally(() => {
      this.integrating = undefined;
    });
    return this.integrating;
  }

  private async integrateNow(maxMs: number): Promise<number> {
    const { alg } = await this.init();
    const batch = this.deps.options.batch;
    const started = Date.now();
    let total = 0;
    let signing: Promise<unknown> | undefined;
    for (;;) {
      let done: { firstSeq: number; ids: number[]; touched: ReturnType<TileBuilder['append']> } | undefined;
      try {
        done = await this.integrateRound(alg, batch);
      } catch (e) {
        this.builder = undefined;
        throw e;
      }
      if (!done) {
        break;
      }
      // Committed: what was written is now true for every reader.
      const tiles = this.tilesOf(alg);
      for (const t of done.touched) {
        tiles.put(t.level, t.index, t.hashes);
      }
      this.recent.add(done.firstSeq, done.ids);
      total += done.ids.length;
      for (const id of done.ids) {
        if (id > this.integratedMax) {
          this.integratedMax = id;
        }
      }
      const waiting = this.roundWaiters;
      this.roundWaiters = [];
      for (const w of waiting) {
        w();
      }
      if (Date.now() - started > maxMs) {
        break; // the background loop's turn is over; it comes back after its interval
      }
      // Under sustained load keep publishing while integrating: a checkpoint every 200 ms at most,
      // signed while the next batch is read and written (at most one signing in flight).
      if (!signing && Date.now() - this.lastSigned >= 200) {
        signing = this.signCheckpoint().finally(() => {
          signing = undefined;
        });
        signing.catch(() => undefined);
      }
    }
    await signing;
    await this.signCheckpoint();
    return total;
  }

  /**
   * One integration round in three round trips and no open transaction: the horizon, then the state
   * and the next events, append in memory, then leaves, tiles and state in one compare-and-swap
   * statement.
   */
  private async integrateRound(alg: HashAlg, batch: number) {
    const db = this.deps.db;
    const horizon = await repo.horizon(db);
    const next = await repo.stateAndNext(db, horizon, batch);
    if (!next) {
      throw new Error('ledger state missing');
    }
    const rows = next.rows;
    if (rows.length === 0) {
      return undefined;
    }
    if (!this.builder || this.builder.size !== next.size) {
      this.builder = await this.loadBuilder(db, alg, next.size);
    }
    // Events recorded before writers hashed their own entries: canonicalised here.
    const older = rows.filter((r) => !r.leafHash).map((r) => r.id);
    if (older.length > 0) {
      const full = new Map((await repo.eventsIn(db, older)).map((r) => [r.id, r]));
      for (const r of rows) {
        if (!r.leafHash) {
          const ev = full.get(r.id);
          if (!ev) {
            throw new Error(`event ${r.id} vanished during integration`);
          }
          r.leafHash = leafHashOfText(alg, entryText(entryFields(toSource(ev))));
        }
      }
    }
    const ids = rows.map((r) => r.id);
    const hashes = rows.map((r) => r.leafHash as Buffer);
    const touched = this.builder.append(hashes);
    // Every id up to the horizon is final: past a full batch the next starts after its last event,
    // otherwise after the horizon itself (ids never committed are skipped once).
    const lastEventId = rows.length === batch ? (rows[rows.length - 1] as { id: number }).id : horizon;
    const ok = await repo.appendLeaves(db, {
      fromSize: next.size,
      size: this.builder.size,
      root: this.builder.root(),
      lastEventId,
      eventIds: ids,
      hashes,
      tiles: touched,
    });
    if (!ok) {
      // Another integrator moved the state first: reload from the store next round.
      this.builder = undefined;
      return { firstSeq: next.size, ids: [], touched: [] };
    }
    return { firstSeq: next.size, ids, touched };
  }

  private async loadBuilder(ex: Executor, alg: HashAlg, size: number): Promise<TileBuilder> {
    const keys: Array<{ level: number; index: number; width: number }> = [];
    for (let level = 0; TILE_WIDTH ** level <= size; level++) {
      const index = Math.floor(size / TILE_WIDTH ** (level + 1));
      keys.push({ level, index, width: tileWidth(level, index, size) });
    }
    const tiles = await repo.tiles(ex, keys);
    const partial = keys.map((k) => {
      if (k.width === 0) {
        return [];
      }
      const t = tiles.get(`${k.level}/${k.index}`);
      if (!t || t.length < k.width * 32) {
        throw new Error(`ledger tile ${k.level}/${k.index} missing or short`);
      }
      return splitHashes(t.subarray(0, k.width * 32));
    });
    return new TileBuilder(alg, size, partial);
  }

  /**
   * Signs a checkpoint for the current tree if it grew. Compare-and-swap guard: the tree stored now
   * must still hash to the last signed root at its size, or nothing is signed.
   */
  async signCheckpoint(): Promise<number | undefined> {
    const { origin, alg } = await this.init();
    this.lastSigned = Date.now();
    // No transaction: the state and the latest checkpoint in one read, the stored tiles in another, and
    // an insert that only lands if no checkpoint at or beyond this size exists (the tree only grows, so
    // a state read a moment ago is still a prefix of the log).
    const signed = await (async (trx: Executor) => {
      const head = await repo.stateAndLatestCheckpoint(trx);
      if (!head) {
        return undefined;
      }
      const { st, last } = head;
      if (last && last.size >= st.size) {
        if (last.size > st.size) {
          throw new AppError(500, 'LEDGER_INCONSISTENT', 'error.ledger.inconsistent', {
            params: { size: last.size },
          });
        }
        return undefined;
      }
      // Straight from the stored tiles (no cache), both sizes in one read: the compare-and-swap guard.
      const [root, old] = (await this.rangeHashes(
        trx,
        alg,
        last && last.size > 0
          ? [
              [0, st.size],
              [0, last.size],
            ]
          : [[0, st.size]],
        false,
      )) as [Buffer, Buffer | undefined];
      if (last && !(last.size === 0 ? emptyRoot(alg) : (old as Buffer)).equals(last.root)) {
        throw new AppError(500, 'LEDGER_INCONSISTENT', 'error.ledger.inconsistent', {
          params: { size: last.size },
        });
      }
      if (!root.equals(st.root)) {
        throw new AppError(500, 'LEDGER_INCONSISTENT', 'error.ledger.inconsistent', {
          params: { size: st.size },
        });
      }
      const note = signNote(checkpointBody({ origin, size: st.size, root }), await this.logSigners(trx));
      if (!(await repo.insertCheckpointIfNewest(trx, st.size, root, note))) {
        return undefined; // another signer was first
      }
      return { size: st.size, note, root };
    })(this.deps.db);
    if (signed && (!this.cp || this.cp.size < signed.size)) {
      this.cp = { ...signed, createdAt: new Date(), at: Date.now() };
    }
    if (signed) {
      for (const l of this.checkpointListeners) {
        l(signed.size);
      }
    }
    if (signed && this.deps.options.witnesses.length > 0) {
      await this.askWitnesses(signed.size, signed.note).catch(() => undefined);
    }
    return signed?.size;
  }

  /**
   * Calls `listener(size)` each time this process has committed a new checkpoint (in-process
   * observers: the benchmark's lag probe, push notifications). Returns the unsubscribe function.
   */
  onCheckpoint(listener: (size: number) => void): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
  }

  /** Runs the integrator and checkpoint signer in the serving process. */
  background(
    onError: (e: unknown) => void = (e) =>
      process.stderr.write(`ledger integrator: ${(e as Error).message}\n`),
  ): BackgroundTask {
    let running = false;
    let loop: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    return {
      name: 'ledger-integrator',
      start: () => {
        if (running) {
          return;
        }
        running = true;
        this.integratorRunning = true;
        loop = (async () => {
          await this.sealKeys().catch(onError);
          while (running) {
            try {
              await this.integrate({ maxMs: 2000 });
            } catch (e) {
              onError(e);
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(resolve, this.deps.options.intervalMs);
            });
          }
        })();
      },
      stop: async () => {
        running = false;
        this.integratorRunning = false;
        for (const w of this.roundWaiters.splice(0)) {
          w();
        }
        clearTimeout(timer);
        wake?.();
        await loop;
        // Whatever committed before shutdown is integrated and signed now.
        await this.integrate().catch(onError);
      },
    };
  }

  // ---- reading the tree ----

  /**
   * Hashes of complete nodes: from the tile cache, reading (and caching) only the tiles it lacks in
   * one query; with `cached = false` every tile is read from the store (the signing guard).
   */
  private async nodeHashes(ex: Executor, alg: HashAlg, ids: NodeId[], cached = true): Promise<Buffer[]> {
    const cache = cached ? this.tilesOf(alg) : new TileCache(alg, Number.MAX_SAFE_INTEGER);
    const out: Array<Buffer | undefined> = ids.map((n) => cache.node(n));
    const need = new Map<string, { level: number; index: number }>();
    ids.forEach((n, i) => {
      if (!out[i]) {
        const t = nodeTile(n);
        need.set(`${t.tileLevel}/${t.tileIndex}`, { level: t.tileLevel, index: t.tileIndex });
      }
    });
    if (need.size === 0) {
      return out as Buffer[];
    }
    const fetched = await repo.tiles(ex, [...need.values()]);
    for (const [key, buf] of fetched) {
      const [level, index] = key.split('/').map(Number) as [number, number];
      cache.put(level, index, splitHashes(buf));
    }
    return ids.map((n, i) => {
      const h = out[i] ?? cache.node(n);
      if (!h) {
        const t = nodeTile(n);
        throw new Error(`ledger tile ${t.tileLevel}/${t.tileIndex} missing or short`);
      }
      return h;
    });
  }

  private async rangeHashes(
    ex: Executor,
    alg: HashAlg,
    ranges: Array<[number, number]>,
    cached = true,
  ): Promise<Buffer[]> {
    const flat = ranges.flatMap(([lo, hi]) => rangeNodes(lo, hi));
    const hashes = await this.nodeHashes(ex, alg, flat, cached);
    const byKey = new Map(flat.map((n, i) => [`${n.level}/${n.index}`, hashes[i] as Buffer]));
    return ranges.map(([lo, hi]) =>
      rangeHash(alg, lo, hi, (n) => byKey.get(`${n.level}/${n.index}`) as Buffer),
    );
  }

  async status(): Promise<LedgerStatusDto> {
    const log = await this.init();
    const db = this.deps.db;
    const st = await repo.state(db);
    const cp = await repo.latestCheckpoint(db);
    const pending = await repo.countEventsAfter(db, st?.last_event_id ?? 0);
    return {
      origin: log.origin,
      hashAlg: log.alg,
      size: st?.size ?? 0,
      root: (st?.root ?? emptyRoot(log.alg)).toString('base64'),
      lastEventId: st?.last_event_id ?? 0,
      checkpoint: cp ? { size: cp.size, createdAt: cp.createdAt.toISOString() } : null,
      pendingEvents: pending,
    };
  }

  /** The latest checkpoint as a signed note, with any witness cosignatures appended. */
  async checkpoint(): Promise<string> {
    await this.init();
    const cp = await repo.latestCheckpoint(this.deps.db);
    if (!cp) {
      await this.signCheckpoint();
    }
    const latest = cp ?? (await repo.latestCheckpoint(this.deps.db));
    if (!latest) {
      throw new NotFoundError('LEDGER_NO_CHECKPOINT', 'error.ledger.noCheckpoint');
    }
    return this.withCosignatures([latest]).then((n) => n[0] as string);
  }

  private async withCosignatures(cps: Array<{ size: number; note: string }>): Promise<string[]> {
    const cos = await repo.cosignatures(
      this.deps.db,
      cps.map((c) => c.size),
    );
    return cps.map(
      (c) =>
        c.note +
        cos
          .filter((s) => s.size === c.size)
          .map((s) => s.line)
          .join(''),
    );
  }

  /** Signed checkpoints after a size, oldest first (verifiers walk them). */
  async checkpoints(afterSize = -1, limit = 1000): Promise<Array<{ size: number; note: string }>> {
    await this.init();
    const cps = await repo.checkpoints(this.deps.db, afterSize, Math.min(limit, 10000));
    const notes = await this.withCosignatures(cps);
    return cps.map((c, i) => ({ size: c.size, note: notes[i] as string }));
  }

  /** A hash tile (level ≥ 0) or entry bundle (level -1), as C2SP tlog-tiles serves them. */
  async tile(actor: Actor, level: number, index: number, width: number): Promise<Buffer> {
    if (level < 0) {
      await this.deps.access.require(actor, 'event.read');
    }
    const { alg } = await this.init();
    const cp = await this.latest().catch(() => undefined);
    const have = tileWidth(Math.max(level, 0), index, cp?.size ?? 0);
    if (width > have) {
      throw new NotFoundError('LEDGER_TILE_NOT_FOUND', 'error.ledger.tileNotFound', {
        params: { tile: `${level}/${index}` },
      });
    }
    if (level < 0) {
      const rows = await repo.entriesBySeq(this.deps.db, index * TILE_WIDTH, index * TILE_WIDTH + width);
      return encodeBundle(rows.map((r) => entryBytes(toSource(r))));
    }
    const cache = this.tilesOf(alg);
    if (cache.width(level, index) < width) {
      const t = (await repo.tiles(this.deps.db, [{ level, index }])).get(`${level}/${index}`);
      if (t) {
        cache.put(level, index, splitHashes(t));
      }
    }
    const hashes = cache.tile(level, index);
    if (!hashes || hashes.length < width) {
      throw new NotFoundError('LEDGER_TILE_NOT_FOUND', 'error.ledger.tileNotFound', {
        params: { tile: `${level}/${index}` },
      });
    }
    return Buffer.concat(hashes.slice(0, width));
  }

  // ---- proofs and receipts ----

  /**
   * The latest signed checkpoint, from memory: this process updates it when it signs, and re-reads the
   * store at most every 250 ms (another process may sign too) without making a caller wait for it.
   */
  private async latest(): Promise<{ size: number; root: Buffer; note: string }> {
    const cp = this.cp;
    if (cp && Date.now() - cp.at < 250) {
      return cp;
    }
    const refresh = (this.cpRefresh ??= repo
      .latestCheckpoint(this.deps.db)
      .then((r) => {
        if (r && (!this.cp || this.cp.size <= r.size)) {
          this.cp = { ...r, at: Date.now() };
        } else if (this.cp) {
          this.cp.at = Date.now();
        }
      })
      .finally(() => {
        this.cpRefresh = undefined;
      }));
    if (!cp) {
      await refresh;
    } else {
      refresh.catch(() => undefined);
    }
    if (!this.cp) {
      throw new NotFoundError('LEDGER_NO_CHECKPOINT', 'error.ledger.noCheckpoint');
    }
    return this.cp;
  }

  /** Inclusion proof of a leaf (by index or leaf hash) in the tree of `treeSize` (default: latest checkpoint). */
  async inclusionProof(q: {
    index?: number;
    leafHash?: string;
    treeSize?: number;
  }): Promise<InclusionProofDto> {
    const { alg } = await this.init();
    const db = this.deps.db;
    const cp = await this.latest();
    const size = q.treeSize ?? cp.size;
    if (size > cp.size || size < 1) {
      throw new ValidationError('LEDGER_BAD_SIZE', 'error.ledger.badSize', {
        params: { size },
        details: { field: 'treeSize' },
      });
    }
    let seq: number | undefined;
    if (q.leafHash !== undefined) {
      if (!HEX32.test(q.leafHash)) {
        throw new ValidationError('LEDGER_BAD_HASH', 'error.ledger.badHash', {
          details: { field: 'leafHash' },
        });
      }
      seq = (await repo.leafBy(db, { leafHash: Buffer.from(q.leafHash, 'hex') }))?.seq;
    } else if (q.index !== undefined) {
      seq = q.index;
    } else {
      throw new ValidationError('LEDGER_PROOF_TARGET', 'error.ledger.proofTarget', {
        details: { field: 'index' },
      });
    }
    if (seq === undefined || seq < 0 || seq >= size || !Number.isSafeInteger(seq)) {
      throw new NotFoundError('LEDGER_LEAF_NOT_FOUND', 'error.ledger.leafNotFound', {
        params: { ref: q.leafHash ?? String(q.index) },
      });
    }
    // The leaf hash is the level-0 node of the tree; it comes with the path in one read.
    const [leaf, ...hashes] = await this.nodeAndRanges(
      db,
      alg,
      { level: 0, index: seq },
      inclusionRanges(seq, size),
    );
    const note = size === cp.size ? cp.note : ((await repo.checkpoints(db, size - 1, 1))[0]?.note ?? '');
    return {
      index: seq,
      treeSize: size,
      leafHash: hex(leaf as Buffer),
      hashes: hashes.map(hex),
      checkpoint: note,
    };
  }

  private async nodeAndRanges(
    ex: Executor,
    alg: HashAlg,
    node: NodeId,
    ranges: Array<[number, number]>,
  ): Promise<Buffer[]> {
    const flat = [node, ...ranges.flatMap(([lo, hi]) => rangeNodes(lo, hi))];
    const hashes = await this.nodeHashes(ex, alg, flat);
    const byKey = new Map(flat.map((n, i) => [`${n.level}/${n.index}`, hashes[i] as Buffer]));
    return [
      hashes[0] as Buffer,
      ...ranges.map(([lo, hi]) =>
        rangeHash(alg, lo, hi, (n) => byKey.get(`${n.level}/${n.index}`) as Buffer),
      ),
    ];
  }

  async consistencyProof(first: number, second?: number): Promise<ConsistencyProofDto> {
    const { alg } = await this.init();
    const cp = await this.latest();
    const to = second ?? cp.size;
    if (first < 0 || first > to || to > cp.size) {
      throw new ValidationError('LEDGER_BAD_SIZE', 'error.ledger.badSize', {
        params: { size: first > to ? first : to },
        details: { field: first > to ? 'first' : 'second' },
      });
    }
    const hashes = await this.rangeHashes(this.deps.db, alg, consistencyRanges(first, to));
    return { first, second: to, hashes: hashes.map(hex) };
  }

  /** Where an event sits in the log ({ index, leafHash }), or undefined until it is integrated. */
  async receipt(eventId: number): Promise<LedgerRef | undefined> {
    const seq = this.recent.seqOf(eventId);
    if (seq !== undefined) {
      const { alg } = await this.init();
      const [leaf] = await this.nodeHashes(this.deps.db, alg, [{ level: 0, index: seq }]);
      return { index: seq, leafHash: hex(leaf as Buffer) };
    }
    const leaf = await repo.leafBy(this.deps.db, { eventId });
    return leaf ? { index: leaf.seq, leafHash: hex(leaf.leafHash) } : undefined;
  }

  /** A receipt with its inclusion proof against the latest checkpoint. */
  async receiptProof(eventId: number): Promise<ReceiptDto> {
    const seq = this.recent.seqOf(eventId) ?? (await repo.leafBy(this.deps.db, { eventId }))?.seq;
    const cp = seq === undefined ? undefined : await this.latest().catch(() => undefined);
    if (seq === undefined || !cp || seq >= cp.size) {
      throw new NotFoundError('LEDGER_RECEIPT_PENDING', 'error.ledger.receiptPending', {
        params: { id: eventId },
      });
    }
    return { eventId, ...(await this.inclusionProof({ index: seq })) };
  }

  // ---- auditor view ----

  async list(
    actor: Actor,
    query: Omit<EventQuery, 'limit'> & { limit?: number; withProofs?: boolean },
  ): Promise<EventDto[]> {
    await this.deps.access.require(actor, 'event.read');
    const db = this.deps.db;
    const rows = await eventRepository.list(db, { ...query, limit: Math.min(query.limit ?? 100, 1000) });
    const ids = rows.map((r) => Number(r.id));
    const [leaves, personal] = await Promise.all([repo.leavesForEvents(db, ids), repo.personal(db, ids)]);
    const leafOf = new Map(leaves.map((l) => [l.eventId, l]));
    const personalOf = new Map(personal.map((p) => [p.event_id, p]));
    const cp = query.withProofs ? await this.latest().catch(() => undefined) : undefined;
    const { alg } = await this.init();
    return Promise.all(
      rows.map(async (r) => {
        const id = Number(r.id);
        const leaf = leafOf.get(id);
        const p = personalOf.get(id);
        const dto: EventDto = {
          id,
          occurredAt: r.occurred_at.toISOString(),
          type: r.type,
          actor: { kind: r.actor_kind, id: r.actor_id },
          orgId: r.org_id,
          subject: { type: r.subject_type, id: r.subject_id },
          data: r.data,
          requestId: r.request_id,
          personal: p?.data ?? null,
          personalDigest: p ? hex(p.digest) : null,
          ledger: leaf ? { index: leaf.seq, leafHash: hex(leaf.leafHash) } : null,
        };
        if (query.withProofs) {
          dto.proof =
            leaf && cp && leaf.seq < cp.size
              ? {
                  treeSize: cp.size,
                  hashes: (await this.rangeHashes(db, alg, inclusionRanges(leaf.seq, cp.size))).map(hex),
                }
              : null;
        }
        return dto;
      }),
    );
  }

  /**
   * Aggregate only (no event content): how many events of a type per Shanghai day since `since`, and the
   * rows they report, for the statistics capability. `grantIds` narrows to a department's grants.
   */
  async dailyCounts(
    actor: Actor,
    q: { type: string; since: Date; grantIds?: readonly string[] | null },
  ): Promise<Array<{ day: string; count: number; rows: number }>> {
    await this.deps.access.require(actor, 'stats.read');
    return eventRepository.countsByDay(this.deps.db, q);
  }

  // ---- witnessing (C2SP tlog-witness, this node as the witness) ----

  /** Starts witnessing another log, named by its verifier key. */
  async addWitnessedLog(actor: Actor, vkey: string): Promise<{ origin: string }> {
    await this.deps.access.require(actor, 'ledger.keys.manage');
    let v: Verifier;
    try {
      v = parseVkey(vkey);
    } catch {
      throw new ValidationError('LEDGER_BAD_VKEY', 'error.ledger.badVkey', { details: { field: 'vkey' } });
    }
    await this.deps.db.transaction().execute(async (trx) => {
      await repo.upsertWitnessedLog(trx, v.name, vkey, 0, null);
      await this.record(trx, actor, {
        type: 'ledger.witness_log_added',
        subjectType: 'ledger_log',
        subjectId: v.name,
        orgId: null,
        data: { vkey },
      });
    });
    return { origin: v.name };
  }

  /** `add-checkpoint`: checks the log's signature and consistency, then cosigns. */
  async addCheckpoint(text: string): Promise<{ status: number; body: string; contentType?: string }> {
    const { origin } = await this.init();
    const blank = text.indexOf('\n\n');
    if (blank < 0) {
      return { status: 400, body: 'malformed request\n' };
    }
    const head = text.slice(0, blank).split('\n');
    const noteText = text.slice(blank + 2);
    const oldMatch = /^old (0|[1-9]\d*)$/.exec(head[0] ?? '');
    if (!oldMatch || head.length - 1 > 63) {
      return { status: 400, body: 'malformed request\n' };
    }
    const old = Number(oldMatch[1]);
    const proof = head.slice(1).map((l) => Buffer.from(l, 'base64'));
    let cp;
    try {
      cp = parseCheckpointBody(parseNote(noteText).body);
    } catch {
      return { status: 400, body: 'malformed checkpoint\n' };
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const log = await repo.witnessedLog(trx, cp.origin, true);
      if (!log) {
        return { status: 404, body: 'unknown log\n' };
      }
      try {
        verifyNote(noteText, [parseVkey(log.vkey)]);
      } catch {
        return { status: 403, body: 'bad log signature\n' };
      }
      if (old > cp.size) {
        return { status: 400, body: 'old size beyond checkpoint\n' };
      }
      if (old !== log.size) {
        return { status: 409, body: `${log.size}\n`, contentType: 'text/x.tlog.size' };
      }
      const ok =
        log.root === null
          ? old === 0
          : verifyConsistency(this.log?.alg ?? 'sha256', old, cp.size, log.root, cp.root, proof) ||
            (await this.consistentEitherAlg(old, cp.size, log.root, cp.root, proof));
      if (!ok) {
        return { status: 422, body: 'inconsistent\n' };
      }
      await repo.upsertWitnessedLog(trx, cp.origin, log.vkey, cp.size, cp.root);
      await this.sealKeys(trx);
      const witnessKeys = (await repo.keys(trx, 'witness')).filter((k) => !k.retired_at);
      const body = parseNote(noteText).body;
      const lines = witnessKeys.map((k) => {
        const s = makeSigner(k.name, {
          alg: 'cosig',
          publicKey: k.public_key,
          privateKey: this.privateKey(k),
        });
        return addSignatures('', [{ name: s.name, keyId: s.keyId, sig: s.sign(Buffer.from(body, 'utf8')) }]);
      });
      void origin;
      return { status: 200, body: lines.join('') };
    });
  }

  private async consistentEitherAlg(old: number, size: number, a: Buffer, b: Buffer, proof: Buffer[]) {
    return verifyConsistency('sm3', old, size, a, b, proof);
  }

  /** Asks every configured witness to cosign a checkpoint (C2SP tlog-witness client). */
  private async askWitnesses(size: number, note: string): Promise<void> {
    await Promise.all(
      this.deps.options.witnesses.map(async (w) => {
        const v = parseVkey(w.vkey);
        for (let attempt = 0; attempt < 2; attempt++) {
          const old = Math.min(this.witnessSizes.get(w.url) ?? 0, size);
          const proof = old > 0 ? (await this.consistencyProof(old, size)).hashes : [];
          const body = `old ${old}\n${proof.map((h) => `${Buffer.from(h, 'hex').toString('base64')}\n`).join('')}\n${note}`;
          const res = await fetch(w.url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
          const text = await res.text();
          if (res.status === 409) {
            this.witnessSizes.set(w.url, Number(text.trim()));
            continue;
          }
          if (res.status !== 200) {
            return;
          }
          const line = text.split('\n').find((l) => l.startsWith(`\u2014 ${v.name} `));
          if (!line) {
            return;
          }
          // Keep the cosignature only if it verifies against the witness key we were given.
          verifyNote(`${note}${line}\n`.replace(/\n\u2014 [^\n]*\n(?=\u2014)/, '\n'), [v]);
          this.witnessSizes.set(w.url, size);
          await repo.insertCosignature(this.deps.db, size, v.name, `${line}\n`);
          return;
        }
      }),
    );
  }

  // ---- verification of this store ----

  /**
   * Verifies the store's log end to end from its raw rows — entries re-canonicalised from the events,
   * leaves and tiles recomputed, every checkpoint's signature checked against the given keys (or, when
   * none are given, the keys in the store, which proves only internal consistency).
   */
  async verifyStore(
    opts: {
      keys?: string[];
      witnessKeys?: string[];
      quorum?: number;
      /** Worker threads hashing entries (PostgreSQL); by default 1–2 for logs of 65,536 entries or more. */
      threads?: number;
    } = {},
  ): Promise<VerifyReport & { trustedKeys: boolean }> {
    const { origin, alg } = await this.init();
    const db = this.deps.db;
    const logKeys = opts.keys?.length
      ? opts.keys.map(parseVkey)
      : (await repo.keys(db, 'log')).map((k) => makeVerifier(k.name, k.alg as SigAlg, k.public_key));
    const st = await repo.state(db);
    const ahead = new Map<number, Promise<VerifyRow[]>>();
    const lastEventId = st?.last_event_id ?? 0;
    const tiles = new Map<number, Map<number, Buffer>>();
    const chunked = async (from: number, to: number): Promise<SourceEntry[]> => {
      // Read ahead: the next two chunks are being fetched (on their own connections) while this one
      // is hashed.
      const size = st?.size ?? 0;
      const rowsP = ahead.get(from) ?? repo.verifyRows(db, lastEventId, from, to);
      ahead.delete(from);
      for (let k = 1; k <= 2; k++) {
        const lo = from + k * (to - from);
        if (lo < size && !ahead.has(lo)) {
          const p = repo.verifyRows(db, lastEventId, lo, Math.min(size, lo + (to - from)));
          p.catch(() => undefined);
          ahead.set(lo, p);
        }
      }
      return (await rowsP).map((r): SourceEntry => {
        if (!r.leafOk) {
          return { seq: r.seq, bytes: { missing: LEAF_TILE_DIFFERS } };
        }
        if (!r.present) {
          return { seq: r.seq, eventId: r.eventId, bytes: { missing: `event ${r.eventId} is missing` } };
        }
        if (!r.dataOk) {
          return { seq: r.seq, eventId: r.eventId, bytes: { missing: CONTENT_CHANGED } };
        }
        if (!r.sequenced) {
          return { seq: r.seq, eventId: r.eventId, bytes: { missing: BEYOND_LAST } };
        }
        // Compared by the verifier with the level-0 tile (which the database held equal to the leaf).
        const text = r.entry ?? entryText(entryFields(r.source as EntrySource));
        return { seq: r.seq, eventId: r.eventId, bytes: text };
      });
    };
    // PostgreSQL: the leaves (seq order) and the events (id order) stream in by COPY and are merged
    // here, with the same checks `verifyRows` makes in SQL.
    // Two connections stream while a third reads tiles: a smaller pool keeps the chunked query.
    const pool =
      this.deps.pgPool && ((this.deps.pgPool as { options?: { max?: number } }).options?.max ?? 10) >= 4
        ? this.deps.pgPool
        : undefined;
    // Large logs hash their entries in worker threads while this thread reads the leaves and
    // recomputes the tree.
    const threads =
      opts.threads ??
      ((st?.size ?? 0) >= 65536 ? Math.min(2, Math.max(1, os.availableParallelism() - 1)) : 0);
    const hasher = pool && threads > 0 ? new LeafHasher(alg, threads) : undefined;
    const streams =
      pool && st && st.size > 0
        ? await repo
            .verifyStreams(pool, db, st.size, hasher ? (b) => hasher.hashed(b, 1) : undefined)
            .catch(async (e: unknown) => {
              await hasher?.close();
              throw e;
            })
        : undefined;
    let tile0: { index: number; hashes: Buffer | undefined } | undefined;
    type StreamedEvent = { entry: Buffer | null; dataOk: boolean; hashed: Buffer | undefined };
    const pending = new Map<number, StreamedEvent>();
    const readEvent = (events: CopyCursor): StreamedEvent => {
      const hashed = events.digest();
      const ev = {
        // With its hash computed already, the entry's bytes are not needed (only whether it has any).
        entry: hashed && !events.isNull(1) ? EMPTY : events.bytes(1),
        dataOk: events.bool(2) !== false,
        hashed,
      };
      events.next();
      return ev;
    };
    const takeEvent = async (events: CopyCursor, id: number): Promise<StreamedEvent | undefined> => {
      while (events.has() || (await events.ready())) {
        const eid = events.int8(0);
        if (eid > id) {
          break;
        }
        const ev = readEvent(events);
        if (eid === id) {
          return ev;
        }
        pending.set(eid, ev); // not in the log, or its leaf comes later (reordered)
      }
      const ev = pending.get(id);
      pending.delete(id);
      return ev;
    };
    const streamed = async (
      s: NonNullable<typeof streams>,
      from: number,
      to: number,
    ): Promise<SourceEntry[]> => {
      const { leaves, events } = s;
      const out: SourceEntry[] = [];
      let older: number[] | undefined;
      while (leaves.has() || (await leaves.ready())) {
        const seq = leaves.int8(0);
        if (seq >= to) {
          break;
        }
        const eventId = leaves.int8(1);
        const ti = Math.floor(seq / TILE_WIDTH);
        if (tile0?.index !== ti) {
          tile0 = { index: ti, hashes: await src.tile?.(0, ti) };
        }
        const leafOk = !tile0.hashes || leaves.fieldEquals(2, tile0.hashes, (seq % TILE_WIDTH) * 32, 32);
        leaves.next();
        if (seq < from) {
          continue;
        }
        if (!leafOk) {
          out.push({ seq, bytes: { missing: LEAF_TILE_DIFFERS } });
          continue;
        }
        const ev =
          events.has() && events.int8(0) === eventId ? readEvent(events) : await takeEvent(events, eventId);
        if (!ev) {
          out.push({ seq, eventId, bytes: { missing: `event ${eventId} is missing` } });
        } else if (!ev.dataOk) {
          out.push({ seq, eventId, bytes: { missing: CONTENT_CHANGED } });
        } else if (eventId > lastEventId) {
          out.push({ seq, eventId, bytes: { missing: BEYOND_LAST } });
        } else if (ev.entry === null) {
          // Logged before data_jcs existed: canonicalised from its columns below.
          (older ??= []).push(out.length);
          out.push({ seq, eventId, bytes: '' });
        } else {
          out.push({ seq, eventId, bytes: ev.entry, ...(ev.hashed ? { hashed: ev.hashed } : {}) });
        }
      }
      if (older) {
        const ids = older.map((i) => (out[i] as SourceEntry).eventId as number);
        const full = new Map((await repo.eventsIn(db, ids)).map((e) => [e.id, e]));
        for (const i of older) {
          const o = out[i] as SourceEntry;
          const e = full.get(o.eventId as number);
          o.bytes = e
            ? entryText(entryFields(toSource(e)))
            : { missing: `event ${o.eventId as number} is missing` };
        }
      }
      return out;
    };
    const src: LogSource = {
      checkpoints: async () => {
        const out: string[] = [];
        let after = -1;
        for (;;) {
          const page = await this.checkpoints(after, 10000);
          out.push(...page.map((p) => p.note));
          if (page.length < 10000) {
            return out;
          }
          after = (page[page.length - 1] as { size: number }).size;
        }
      },
      entries: async (from, to) => (streams ? streamed(streams, from, to) : chunked(from, to)),
      tile: async (level, index) => {
        // Tiles are compared in order: read them 64 at a time.
        let cached = tiles.get(level);
        if (!cached?.has(index)) {
          cached = await repo.tileRange(db, level, index, index + 64);
          tiles.set(level, cached);
        }
        return cached.get(index);
      },
      storedSize: async () => st?.size ?? 0,
      extras: async () => {
        // Every leaf names a distinct existing event up to last_event_id (checked entry by entry), so
        // as many events up to it as leaves means none was slipped in; otherwise name them.
        if (!st || (await repo.countEventsUpTo(db, st.last_event_id)) === st.size) {
          return [];
        }
        const extra = await repo.unsequencedEvents(db, st.last_event_id);
        return extra.map((id) => `event ${id} is not in the log (inserted behind the ledger's back)`);
      },
    };
    const report = await verifyLog(src, {
      alg,
      origin,
      chunk: 8192,
      logKeys,
      witnessKeys: (opts.witnessKeys ?? []).map(parseVkey),
      quorum: opts.quorum ?? 0,
    }).finally(() => Promise.all([streams?.close(), hasher?.close()]));
    return { ...report, trustedKeys: Boolean(opts.keys?.length) };
  }
}
