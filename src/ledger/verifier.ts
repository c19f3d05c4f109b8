import { leafHashOfText } from './entry.js';
import { type HashAlg, leafHash, TILE_WIDTH, TileBuilder } from './merkle.js';
import { type Checkpoint, parseCheckpointBody, type Verifier, verifyNote } from './note.js';

/**
 * The offline verifier's core (no database, no network): given a log's checkpoints and its entries in
 * sequence order — from a data directory, a running node or a tile mirror — it checks every checkpoint
 * signature (and witness quorum), recomputes every leaf and the tree, compares them with any stored
 * leaf hashes and tiles, and names the first entry, tile or checkpoint that does not hold.
 */

export interface SourceEntry {
  seq: number;
  /** Canonical entry bytes (or text), or why the entry cannot be produced (missing event…). */
  bytes: Buffer | string | { missing: string };
  eventId?: number;
  /**
   * H(0x00 ‖ bytes) already computed by the source from these very bytes (in a worker thread), never a
   * hash read from the store.
   */
  hashed?: Buffer;
  /** The leaf hash the store claims (data directory only). */
  storedLeafHash?: Buffer;
}

export interface LogSource {
  /** Signed checkpoint notes, any order. */
  checkpoints(): Promise<string[]>;
  /** Entries [from, to) in order; a gap or reorder is reported from the seq numbers. */
  entries(from: number, to: number): Promise<SourceEntry[]>;
  /** The stored hash tile (level, index), if the source has one, at any width. */
  tile?(level: number, index: number): Promise<Buffer | undefined>;
  /** Entries the store holds beyond the tree or never sequenced (data directory only). */
  extras?(size: number): Promise<string[]>;
  /** Tree size the store claims, if any (it may exceed the last checkpoint). */
  storedSize?(): Promise<number | undefined>;
}

export interface VerifyOptions {
  alg: HashAlg;
  origin?: string;
  logKeys: Verifier[];
  witnessKeys?: Verifier[];
  quorum?: number;
  chunk?: number;
}

export type Problem =
  | { kind: 'checkpoint'; size: number; reason: string }
  | { kind: 'entry'; seq: number; eventId?: number; reason: string }
  | { kind: 'tile'; level: number; index: number; reason: string }
  | { kind: 'store'; reason: string };

export interface VerifyReport {
  ok: boolean;
  origin: string | undefined;
  checkpoints: number;
  size: number;
  root: string | undefined;
  entriesVerified: number;
  problem: Problem | undefined;
  ms: number;
}

class Fail extends Error {
  constructor(readonly problem: Problem) {
    super(problem.reason);
  }
}

export function describeProblem(p: Problem): string {
  switch (p.kind) {
    case 'checkpoint':
      return `checkpoint ${p.size}: ${p.reason}`;
    case 'entry':
      return `entry ${p.seq}${p.eventId !== undefined ? ` (event ${p.eventId})` : ''}: ${p.reason}`;
    case 'tile':
      return `tile ${p.level}/${p.index}: ${p.reason}`;
    case 'store':
      return p.reason;
  }
}

export async function verifyLog(src: LogSource, opts: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const report: VerifyReport = {
    ok: false,
    origin: opts.origin,
    checkpoints: 0,
    size: 0,
    root: undefined,
    entriesVerified: 0,
    problem: undefined,
    ms: 0,
  };
  try {
    const cps = await verifyCheckpoints(await src.checkpoints(), opts);
    report.checkpoints = cps.length;
    report.origin = cps[0]?.origin ?? opts.origin;
    const lastCp = cps[cps.length - 1];
    const stored = (await src.storedSize?.()) ?? 0;
    if (lastCp && stored < lastCp.size) {
      throw new Fail({
        kind: 'checkpoint',
        size: lastCp.size,
        reason: `the store holds only ${stored} entries`,
      });
    }
    const size = Math.max(lastCp?.size ?? 0, stored);
    const builder = new TileBuilder(opts.alg);
    const chunk = opts.chunk ?? 4096;
    let next = 0;
    let cpAt = 0;
    let level0: { index: number; hashes: Buffer | undefined } | undefined;
    if (cps[0]?.size === 0) {
      cpAt = 1;
    }
    while (next < size) {
      const to = Math.min(size, next + chunk);
      const entries = await src.entries(next, to);
      const leaves: Buffer[] = [];
      for (const e of entries) {
        const seq = next + leaves.length;
        if (e.seq !== seq) {
          throw new Fail({
            kind: 'entry',
            seq,
            reason: e.seq > seq ? 'missing from the log' : 'out of order',
          });
        }
        if (typeof e.bytes !== 'string' && !Buffer.isBuffer(e.bytes)) {
          throw new Fail({
            kind: 'entry',
            seq,
            ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
            reason: e.bytes.missing,
          });
        }
        const h =
          e.hashed ??
          (typeof e.bytes === 'string' ? leafHashOfText(opts.alg, e.bytes) : leafHash(opts.alg, e.bytes));
        if (e.storedLeafHash && !e.storedLeafHash.equals(h)) {
          throw new Fail({
            kind: 'entry',
            seq,
            ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
            reason: 'content does not match its leaf hash (changed after it was logged)',
          });
        }
        // A mirror has no per-entry leaf column, but its level-0 tiles hold the leaf hashes.
        if (!e.storedLeafHash && src.tile) {
          const ti = Math.floor(seq / TILE_WIDTH);
          if (level0?.index !== ti) {
            level0 = { index: ti, hashes: await src.tile(0, ti) };
          }
          const stored = level0.hashes?.subarray((seq % TILE_WIDTH) * 32, (seq % TILE_WIDTH) * 32 + 32);
          if (stored && stored.length === 32 && !stored.equals(h)) {
            throw new Fail({
              kind: 'entry',
              seq,
              ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
              reason: `content does not match its leaf hash in tile 0/${ti}`,
            });
          }
        }
        leaves.push(h);
      }
      if (leaves.length !== to - next) {
        throw new Fail({ kind: 'entry', seq: next + leaves.length, reason: 'missing from the log' });
      }
      // Append leaf by leaf only where a checkpoint falls inside this chunk.
      let i = 0;
      while (i < leaves.length) {
        const cp = cps[cpAt];
        const stop = cp && cp.size <= to ? cp.size - next : leaves.length;
        const touched = builder.append(leaves.slice(i, stop));
        if (src.tile) {
          for (const t of touched) {
            if (t.hashes.length === TILE_WIDTH) {
              await compareTile(src, t.level, t.index, t.hashes, opts.alg);
            }
          }
        }
        i = stop;
        if (cp && builder.size === cp.size) {
          if (!builder.root().equals(cp.root)) {
            throw new Fail({
              kind: 'checkpoint',
              size: cp.size,
              reason: `root ${cp.root.toString('base64')} does not match the entries (recomputed ${builder.root().toString('base64')})`,
            });
          }
          cpAt++;
        }
      }
      next = to;
      report.entriesVerified = next;
    }
    // The right edge (partial tiles) must match too.
    if (src.tile) {
      for (let level = 0; level < builder.partial.length; level++) {
        const part = builder.partial[level] ?? [];
        if (part.length > 0) {
          await compareTile(src, level, Math.floor(size / TILE_WIDTH ** (level + 1)), part, opts.alg);
        }
      }
    }
    const extras = (await src.extras?.(size)) ?? [];
    if (extras.length > 0) {
      throw new Fail({ kind: 'store', reason: extras.join('; ') });
    }
    report.size = size;
    report.root = builder.root().toString('base64');
    report.ok = true;
  } catch (e) {
    if (e instanceof Fail) {
      report.problem = e.problem;
    } else {
      report.problem = { kind: 'store', reason: (e as Error).message };
    }
  }
  report.ms = Date.now() - started;
  return report;
}

async function compareTile(src: LogSource, level: number, index: number, hashes: Buffer[], alg: HashAlg) {
  void alg;
  const stored = await src.tile?.(level, index);
  if (!stored) {
    throw new Fail({ kind: 'tile', level, index, reason: 'missing' });
  }
  if (stored.length === hashes.length * 32 && stored.equals(Buffer.concat(hashes))) {
    return;
  }
  for (let i = 0; i < hashes.length; i++) {
    const s = stored.subarray(i * 32, i * 32 + 32);
    if (!s.equals(hashes[i] as Buffer)) {
      const reason = `hash ${i} differs from the recomputed tree`;
      if (level === 0) {
        throw new Fail({
          kind: 'entry',
          seq: index * TILE_WIDTH + i,
          reason: `stored tree node differs (${reason} in tile 0/${index})`,
        });
      }
      throw new Fail({ kind: 'tile', level, index, reason });
    }
  }
}

/** Verifies every note; returns the checkpoints sorted by size (duplicates of one size must agree). */
export async function verifyCheckpoints(notes: string[], opts: VerifyOptions): Promise<Checkpoint[]> {
  const out = new Map<number, Checkpoint>();
  let latest: { cp: Checkpoint; note: string } | undefined;
  for (const note of notes) {
    let cp: Checkpoint;
    try {
      cp = parseCheckpointBody(note.slice(0, note.lastIndexOf('\n\n') + 1));
    } catch (e) {
      throw new Fail({ kind: 'checkpoint', size: -1, reason: (e as Error).message });
    }
    try {
      verifyNote(note, opts.logKeys);
    } catch (e) {
      throw new Fail({ kind: 'checkpoint', size: cp.size, reason: (e as Error).message });
    }
    if (opts.origin && cp.origin !== opts.origin) {
      throw new Fail({
        kind: 'checkpoint',
        size: cp.size,
        reason: `origin ${cp.origin} is not ${opts.origin}`,
      });
    }
    const seen = out.get(cp.size);
    if (seen && !seen.root.equals(cp.root)) {
      throw new Fail({
        kind: 'checkpoint',
        size: cp.size,
        reason: 'two different roots signed for one size',
      });
    }
    out.set(cp.size, cp);
    if (!latest || cp.size > latest.cp.size) {
      latest = { cp, note };
    }
  }
  // Witness quorum: the latest checkpoint must carry k cosignatures by distinct known witnesses.
  if (latest && opts.quorum && opts.quorum > 0) {
    const { cp, note } = latest;
    if (opts.quorum && opts.quorum > 0) {
      let n = 0;
      try {
        n = new Set(verifyNote(note, opts.witnessKeys ?? []).signedBy.map((v) => v.name)).size;
      } catch (e) {
        if (!/no signature by a known key/.test((e as Error).message)) {
          throw new Fail({ kind: 'checkpoint', size: cp.size, reason: (e as Error).message });
        }
      }
      if (n < opts.quorum) {
        throw new Fail({
          kind: 'checkpoint',
          size: cp.size,
          reason: `${n} witness cosignatures, ${opts.quorum} required`,
        });
      }
    }
  }
  return [...out.values()].sort((a, b) => a.size - b.size);
}
