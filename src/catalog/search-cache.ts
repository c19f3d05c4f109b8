/**
 * The search result cache (pure, in memory), in the manner of Solr's query-result cache: per search
 * (filters, query terms, sort) the ordered ids of the first hits, the total, the facets, and the
 * summaries of the first pages. It is bounded (least recently used entries go first) and every entry
 * carries the generation it was computed in: the catalog bumps the generation before and after every
 * transaction that writes resources, so a write in this process is visible to the next search at once,
 * and a search that started before a write never stores what it read. An entry older than `ttlMs` is
 * still served once more while it is recomputed (stale-while-revalidate, up to twice `ttlMs`), so writes
 * by another process on the same PostgreSQL (a CLI command while the server runs) show up within about
 * `ttlMs` plus one query.
 */
export interface SearchCacheOptions {
  /** Entry lifetime; 0 disables the cache. */
  ttlMs: number;
  /** Entries kept (one per distinct search). */
  maxEntries: number;
  /**
   * Whether other processes may write the store (PostgreSQL). When false (embedded PGlite, opened by this
   * process alone), every write passes through the catalog and entries live until one happens.
   */
  shared?: boolean;
}

export const DEFAULT_SEARCH_CACHE: SearchCacheOptions = { ttlMs: 30_000, maxEntries: 1024, shared: true };

/** How many ordered ids an entry keeps (pages beyond them run the full query). */
export const CACHED_IDS = 500;
/** Page summaries are kept only within the first rows of a search (the pages people look at). */
export const CACHED_PAGE_ROWS = 100;

export interface CachedSearch<F, R> {
  total: number;
  /** Whether `total` is exact (false: the search matched more than the window; `total` is a lower bound). */
  exact: boolean;
  match: 'all' | 'partial' | 'none';
  /** The filter that produced the hits (the fallback's, when the query fell back to any term). */
  filter: F;
  /** The first ids in result order (all of them when `ids.length === total`). */
  ids: string[];
  facets: Array<{ facet: string; value: string; label: string; count: number }>;
  /** Summaries by `offset:limit`, for pages within CACHED_PAGE_ROWS. */
  pages: Map<string, R[]>;
}

interface Entry<F, R> {
  value: CachedSearch<F, R>;
  generation: number;
  expires: number;
}

export class SearchCache<F, R> {
  private generation = 0;
  private readonly entries = new Map<string, Entry<F, R>>();

  constructor(
    private readonly opts: SearchCacheOptions = DEFAULT_SEARCH_CACHE,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.opts.ttlMs > 0 && this.opts.maxEntries > 0;
  }

  /** The generation a search starts in; pass it back to `set`. */
  current(): number {
    return this.generation;
  }

  /** Forgets everything (called around every write of resources). */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /**
   * The entry for a search, if it was computed in the current generation and is at most two lifetimes
   * old; `fresh` is false in the second lifetime (serve it, but refresh it: stale-while-revalidate, so
   * that an expiring popular search does not stall every request that asks for it).
   */
  get(key: string): { value: CachedSearch<F, R>; fresh: boolean } | undefined {
    const e = this.entries.get(key);
    if (!e) {
      return undefined;
    }
    const now = this.now();
    if (e.generation !== this.generation || e.expires + this.opts.ttlMs <= now) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return { value: e.value, fresh: e.expires > now };
  }

  set(key: string, generation: number, value: CachedSearch<F, R>): void {
    if (!this.enabled || generation !== this.generation) {
      return;
    }
    this.entries.delete(key);
    const expires = this.opts.shared === false ? Number.POSITIVE_INFINITY : this.now() + this.opts.ttlMs;
    this.entries.set(key, { value, generation, expires });
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Stores a page of an entry that is still current (same object as `get` returned). */
  setPage(value: CachedSearch<F, R>, generation: number, offset: number, limit: number, rows: R[]): void {
    if (generation === this.generation && offset + limit <= CACHED_PAGE_ROWS) {
      value.pages.set(`${offset}:${limit}`, rows);
    }
  }

  page(value: CachedSearch<F, R>, offset: number, limit: number): R[] | undefined {
    return value.pages.get(`${offset}:${limit}`);
  }
}
