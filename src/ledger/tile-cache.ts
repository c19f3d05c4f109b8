import { type HashAlg, type NodeId, nodeHash, nodeTile, TILE_HEIGHT } from './merkle.js';

/**
 * Hash tiles held in memory (pure): an LRU of tiles, each with its interior levels computed once, so a
 * complete node is a lookup instead of a fold or a database read. A tile's prefix never changes once
 * written (C2SP tlog-tiles: a partial tile only grows), so a cached tile of width w answers every
 * node inside its first w hashes, whatever the tree has become since.
 */
interface Entry {
  hashes: Buffer[];
  levels: Buffer[][] | undefined;
}

export class TileCache {
  private readonly map = new Map<string, Entry>();

  constructor(
    private readonly alg: HashAlg,
    private readonly max = 2048,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Stores a tile (keeps the wider one when a narrower copy arrives late). */
  put(level: number, index: number, hashes: Buffer[]): void {
    const key = `${level}/${index}`;
    const had = this.map.get(key);
    if (had && had.hashes.length >= hashes.length) {
      return;
    }
    this.map.delete(key);
    this.map.set(key, { hashes, levels: undefined });
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  /** The width of the cached tile, 0 when absent. */
  width(level: number, index: number): number {
    return this.map.get(`${level}/${index}`)?.hashes.length ?? 0;
  }

  tile(level: number, index: number): Buffer[] | undefined {
    return this.map.get(`${level}/${index}`)?.hashes;
  }

  /** The complete node's hash if a cached tile covers it, else undefined. */
  node(n: NodeId): Buffer | undefined {
    const t = nodeTile(n);
    const key = `${t.tileLevel}/${t.tileIndex}`;
    const e = this.map.get(key);
    if (!e || e.hashes.length < t.offset + 2 ** t.r) {
      return undefined;
    }
    // Recently used: move to the back of the LRU order.
    this.map.delete(key);
    this.map.set(key, e);
    if (t.r === 0) {
      return e.hashes[t.offset];
    }
    e.levels ??= [e.hashes];
    for (let j = e.levels.length; j <= t.r && j <= TILE_HEIGHT; j++) {
      const below = e.levels[j - 1] as Buffer[];
      const up: Buffer[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) {
        up.push(nodeHash(this.alg, below[i] as Buffer, below[i + 1] as Buffer));
      }
      e.levels.push(up);
    }
    // Levels were computed for the width the tile had then; a wider tile replaced the entry.
    return e.levels[t.r]?.[t.offset / 2 ** t.r];
  }
}
