import crypto from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree math (pure): leaf and node hashing, the tree head, inclusion and
 * consistency proofs (generation and verification) and the C2SP tlog-tiles layout. Sizes and indices
 * are safe integers (< 2^53) and use arithmetic, never 32-bit bit operators.
 */

export type HashAlg = 'sha256' | 'sm3';
export const HASH_ALGS: readonly HashAlg[] = ['sha256', 'sm3'];
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

const oneShot = (crypto as unknown as { hash?: (alg: string, data: Buffer, enc: 'buffer') => Buffer }).hash;

export function hash(alg: HashAlg, ...parts: Buffer[]): Buffer {
  const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  return oneShot ? oneShot(alg, data, 'buffer') : crypto.createHash(alg).update(data).digest();
}

const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

export const emptyRoot = (alg: HashAlg): Buffer => hash(alg, Buffer.alloc(0));
let LEAF = Buffer.alloc(4096);
/** H(0x00 ‖ entry), through a reused buffer (no concatenation per leaf). */
export function leafHash(alg: HashAlg, entry: Buffer): Buffer {
  if (!oneShot) {
    return hash(alg, ZERO, entry);
  }
  if (entry.length >= LEAF.length) {
    LEAF = Buffer.alloc(Math.max(entry.length + 1, LEAF.length * 2));
  }
  LEAF[0] = 0;
  entry.copy(LEAF, 1);
  return oneShot(alg, LEAF.subarray(0, entry.length + 1), 'buffer');
}
const NODE = Buffer.alloc(65, 1);
/** H(0x01 ‖ left ‖ right), through one reused 65-byte buffer (no concatenation per node). */
export function nodeHash(alg: HashAlg, left: Buffer, right: Buffer): Buffer {
  if (!oneShot || left.length !== 32 || right.length !== 32) {
    return hash(alg, ONE, left, right);
  }
  left.copy(NODE, 1);
  right.copy(NODE, 33);
  return oneShot(alg, NODE, 'buffer');
}

/** The largest power of two strictly less than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

const half = (x: number) => Math.floor(x / 2);
const odd = (x: number) => x % 2 === 1;

/** Reference MTH over leaf hashes, recursive as RFC 6962 defines it (for tests and small trees). */
export function rootOfLeafHashes(alg: HashAlg, leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) {
    return emptyRoot(alg);
  }
  if (leaves.length === 1) {
    return leaves[0] as Buffer;
  }
  const k = splitPoint(leaves.length);
  return nodeHash(alg, rootOfLeafHashes(alg, leaves.slice(0, k)), rootOfLeafHashes(alg, leaves.slice(k)));
}

/**
 * A complete, aligned subtree: level h, index i covers leaves [i·2^h, (i+1)·2^h). Every hash a proof
 * or a tree head needs is a fold of these, so storage only has to answer for them.
 */
export interface NodeId {
  level: number;
  index: number;
}

/** Splits [lo, hi) into complete aligned subtrees, largest first (lo must be aligned as RFC ranges are). */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  const out: NodeId[] = [];
  let at = lo;
  while (at < hi) {
    let level = 0;
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= hi) {
      size *= 2;
      level++;
    }
    out.push({ level, index: at / size });
    at += size;
  }
  return out;
}

/** MTH(D[lo:hi]) from complete-subtree hashes: the RFC tree over a range folds its nodes from the right. */
export function rangeHash(alg: HashAlg, lo: number, hi: number, node: (n: NodeId) => Buffer): Buffer {
  if (hi <= lo) {
    return emptyRoot(alg);
  }
  const nodes = rangeNodes(lo, hi).map(node);
  let acc = nodes[nodes.length - 1] as Buffer;
  for (let i = nodes.length - 2; i >= 0; i--) {
    acc = nodeHash(alg, nodes[i] as Buffer, acc);
  }
  return acc;
}

/** The ranges [lo, hi) whose MTH make up the inclusion proof of leaf m in a tree of n (RFC 6962 §2.1.1). */
export function inclusionRanges(m: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const path = (m: number, lo: number, hi: number) => {
    if (hi - lo <= 1) {
      return;
    }
    const k = splitPoint(hi - lo);
    if (m < k) {
      path(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      path(m - k, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  path(m, 0, n);
  return out;
}

/** The ranges making up the consistency proof from size m to size n (RFC 6962 §2.1.2). */
export function consistencyRanges(m: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (m <= 0 || m >= n) {
    return out;
  }
  const sub = (m: number, lo: number, hi: number, b: boolean) => {
    if (m === hi - lo) {
      if (!b) {
        out.push([lo, hi]);
      }
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, b);
      out.push([lo + k, hi]);
    } else {
      sub(m - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(
  alg: HashAlg,
  index: number,
  size: number,
  leaf: Buffer,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) {
      return false;
    }
    if (odd(fn) || fn === sn) {
      r = nodeHash(alg, p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(alg, r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, with the usual special cases for equal sizes and the empty tree. */
export function verifyConsistency(
  alg: HashAlg,
  first: number,
  second: number,
  firstHash: Buffer,
  secondHash: Buffer,
  path: readonly Buffer[],
): boolean {
  if (first > second || first < 0) {
    return false;
  }
  if (first === second) {
    return path.length === 0 && firstHash.equals(secondHash);
  }
  if (first === 0) {
    return path.length === 0;
  }
  if (path.length === 0) {
    return false;
  }
  const p = [...path];
  if (isPowerOfTwo(first)) {
    p.unshift(firstHash);
  }
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = p[0] as Buffer;
  let sr = p[0] as Buffer;
  for (const c of p.slice(1)) {
    if (sn === 0) {
      return false;
    }
    if (odd(fn) || fn === sn) {
      fr = nodeHash(alg, c, fr);
      sr = nodeHash(alg, c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(alg, sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

export function isPowerOfTwo(x: number): boolean {
  if (x < 1) {
    return false;
  }
  while (x % 2 === 0) {
    x /= 2;
  }
  return x === 1;
}

// ---- C2SP tlog-tiles ----

/** The tile path element for N: zero-padded 3-digit groups, all but the last prefixed with `x`. */
export function tileIndexPath(n: number): string {
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` (level -1 = entries). */
export function tilePath(level: number, index: number, width: number): string {
  const l = level < 0 ? 'entries' : String(level);
  return `tile/${l}/${tileIndexPath(index)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

export function parseTilePath(p: string): { level: number; index: number; width: number } | undefined {
  const m = /^tile\/(entries|\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/.exec(p);
  if (!m) {
    return undefined;
  }
  const index = Number((m[2] as string).replace(/x/g, '').replace(/\//g, ''));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (!Number.isSafeInteger(index) || width < 1 || width > TILE_WIDTH) {
    return undefined;
  }
  return { level: m[1] === 'entries' ? -1 : Number(m[1]), index, width };
}

/** The width of tile (level, index) in a tree of the given size (0 when it does not exist yet). */
export function tileWidth(level: number, index: number, size: number): number {
  const span = TILE_WIDTH ** level;
  const full = Math.floor(size / span); // hashes at this level
  const w = full - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, w));
}

/** Hash of a complete node inside a tile: `count` = 2^r consecutive tile hashes from `offset`, hashed up. */
export function foldTile(alg: HashAlg, hashes: readonly Buffer[], offset: number, r: number): Buffer {
  let level = hashes.slice(offset, offset + 2 ** r);
  if (level.length !== 2 ** r) {
    throw new RangeError('tile too narrow for node');
  }
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(nodeHash(alg, level[i] as Buffer, level[i + 1] as Buffer));
    }
    level = next;
  }
  return level[0] as Buffer;
}

/** Where a complete node lives in the tiles: tile level, tile index, offset inside it, levels to fold. */
export function nodeTile(n: NodeId): { tileLevel: number; tileIndex: number; offset: number; r: number } {
  const tileLevel = Math.floor(n.level / TILE_HEIGHT);
  const r = n.level - tileLevel * TILE_HEIGHT;
  const first = n.index * 2 ** r; // index of the first tile hash at level 8·tileLevel
  return { tileLevel, tileIndex: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, r };
}

/** Splits concatenated 32-byte hashes. */
export function splitHashes(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 32 <= buf.length; i += 32) {
    out.push(buf.subarray(i, i + 32));
  }
  return out;
}

/** Entry bundle: each entry prefixed with a uint16 big-endian length. */
export function encodeBundle(entries: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > 0xffff) {
      throw new RangeError('entry over 65535 bytes');
    }
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, e);
  }
  return Buffer.concat(parts);
}

export function decodeBundle(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 2 > buf.length) {
      throw new RangeError('truncated bundle');
    }
    const len = buf.readUInt16BE(at);
    if (at + 2 + len > buf.length) {
      throw new RangeError('truncated bundle');
    }
    out.push(buf.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/**
 * Incremental tile builder (pure): append leaf hashes; it keeps the current partial tile of every
 * level, reports tiles that changed, and computes the tree head from the right edge alone.
 */
export class TileBuilder {
  /** partial[L] = hashes of the rightmost (incomplete) tile at level L. */
  readonly partial: Buffer[][] = [];
  size = 0;

  constructor(
    readonly alg: HashAlg,
    size = 0,
    partial: Buffer[][] = [],
  ) {
    this.size = size;
    this.partial = partial.map((p) => [...p]);
  }

  /** Appends leaf hashes; returns every tile touched: the tiles completed, then the partial tiles. */
  append(leaves: readonly Buffer[]): Array<{ level: number; index: number; hashes: Buffer[] }> {
    const out: Array<{ level: number; index: number; hashes: Buffer[] }> = [];
    let top = leaves.length > 0 ? 0 : -1; // highest level that received a hash
    for (const leaf of leaves) {
      let h = leaf;
      let level = 0;
      let pos = this.size; // position at this level of hash h
      for (;;) {
        const tile = (this.partial[level] ??= []);
        tile.push(h);
        if (level > top) {
          top = level;
        }
        if (tile.length < TILE_WIDTH) {
          break;
        }
        const index = Math.floor(pos / TILE_WIDTH);
        out.push({ level, index, hashes: tile }); // detached below: no copy needed
        h = foldTile(this.alg, tile, 0, TILE_HEIGHT);
        this.partial[level] = [];
        level++;
        pos = index;
      }
      this.size++;
    }
    for (let level = 0; level <= top; level++) {
      const tile = this.partial[level] ?? [];
      if (tile.length > 0) {
        out.push({ level, index: Math.floor(this.size / TILE_WIDTH ** (level + 1)), hashes: [...tile] });
      }
    }
    return out;
  }

  /** The complete node's hash, if it lies in the right edge this builder holds. */
  node(n: NodeId): Buffer {
    const t = nodeTile(n);
    const tile = this.partial[t.tileLevel] ?? [];
    const currentIndex = Math.floor(this.size / TILE_WIDTH ** (t.tileLevel + 1));
    if (t.tileIndex !== currentIndex) {
      throw new RangeError('node outside the right edge');
    }
    return foldTile(this.alg, tile, t.offset, t.r);
  }

  root(): Buffer {
    return rangeHash(this.alg, 0, this.size, (n) => this.node(n));
  }
}
