import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type {
  CatalogDemandTable,
  CatalogDutyTable,
  CatalogResourceTable,
  CatalogReviewTable,
  CatalogVersionTable,
} from '../platform/db/schema.js';

export type ResourceRow = Selectable<CatalogResourceTable>;
export type NewResourceRow = Insertable<CatalogResourceTable>;
export type ResourcePatch = Updateable<CatalogResourceTable>;
export type VersionRow = Selectable<CatalogVersionTable>;
export type ReviewRow = Selectable<CatalogReviewTable>;
export type DutyRow = Selectable<CatalogDutyTable>;
export type DemandRow = Selectable<CatalogDemandTable>;

export interface SearchFilter {
  /** Index tokens (segment.ts); null: no query text (every resource in scope). */
  terms: string[] | null;
  /** 'all': a resource must carry every term; 'any': at least one (the typo-tolerant fallback). */
  mode: 'all' | 'any';
  /**
   * The query's words, for relevance: resources whose name holds more of them (or, in the fallback, more
   * of the terms) come first, then the most recently updated — computed over the matching index rows only.
   */
  words: string[];
  /** public: ever published and not deprecated; otherwise the given status (and org scope). */
  scope: { kind: 'public' } | { kind: 'status'; status: string; orgId: string | null };
  provider?: string | undefined;
  category?: string | undefined;
  shareType?: string | undefined;
  openType?: string | undefined;
  format?: string | undefined;
  updateCycle?: string | undefined;
  level?: string | undefined;
}

const SUMMARY = [
  'id',
  'code',
  'name',
  'abstract',
  'provider_org_id',
  'provider_name',
  'status',
  'version',
  'share_type',
  'open_type',
  'format_category',
  'update_cycle',
  'level',
  'item_count',
  'updated_at',
] as const;
export type SummaryRow = Pick<ResourceRow, (typeof SUMMARY)[number]>;

const FACET_COLUMNS = {
  provider: 'provider_org_id',
  category: 'category',
  shareType: 'share_type',
  openType: 'open_type',
  format: 'format_category',
  updateCycle: 'update_cycle',
  level: 'level',
} as const;

export interface FacetCount {
  facet: string;
  value: string;
  label: string;
  count: number;
}

/** The most index rows a search counts, ranks and counts facets over (see `searchHits`). */
export const SEARCH_WINDOW = 2000;

/** How many of the words (fallback: terms) the name holds — relevance, on `catalog_search` columns. */
function nameHits(f: SearchFilter) {
  const needles = f.mode === 'any' ? (f.terms ?? []) : f.words;
  return needles.length === 0
    ? sql`0`
    : sql.join(
        needles.map((w) => sql`(strpos(lower(s.name), ${w}) > 0)::int`),
        sql` + `,
      );
}

/** Result order over `catalog_search s` (views: joined `catalog_resource r`). */
function orderBy(f: SearchFilter, sort: string) {
  return sort === 'relevance' && f.terms
    ? sql`rank desc, s.updated_at desc, s.resource_id`
    : sort === 'name'
      ? sql`s.name, s.resource_id`
      : sort === 'views'
        ? sql`r.view_count desc, s.resource_id`
        : sort === 'code'
          ? sql`s.code`
          : sql`s.updated_at desc, s.resource_id`;
}

/**
 * The facet values of a resource as index tokens (`level:core`, `provider:<id>`…): a facet filter is then
 * answered by the GIN index with the query's terms, instead of by reading every matching row. Text tokens
 * never contain ':' (segment.ts keeps letters and digits only), so these cannot collide with them.
 */
export function facetTokens(r: Record<(typeof FACET_COLUMNS)[keyof typeof FACET_COLUMNS], string>): string[] {
  return Object.entries(FACET_COLUMNS).map(([facet, col]) => `${facet}:${r[col]}`);
}

/**
 * The conditions on `catalog_search s` (withTerms false: scope and facet columns only, for rows already
 * found — the columns are named as in catalog_resource, so that table can be read with them too).
 */
function where(f: SearchFilter, withTerms = true) {
  const parts = [];
  const facets = Object.keys(FACET_COLUMNS).flatMap((key) => {
    const v = f[key as keyof typeof FACET_COLUMNS];
    return v ? [`${key}:${v}`] : [];
  });
  const terms = withTerms && f.terms && f.terms.length > 0 ? f.terms : null;
  if (terms && f.mode === 'all') {
    parts.push(sql`s.tokens @> ${[...terms, ...facets]}::text[]`);
  } else {
    if (terms) {
      parts.push(sql`s.tokens && ${terms}::text[]`);
    }
    if (withTerms && facets.length > 0) {
      parts.push(sql`s.tokens @> ${facets}::text[]`);
    }
  }
  if (f.scope.kind === 'public') {
    parts.push(sql`s.version > 0 and s.status <> 'deprecated'`);
  } else {
    parts.push(sql`s.status = ${f.scope.status}`);
    if (f.scope.orgId) {
      parts.push(sql`s.provider_org_id = ${f.scope.orgId}`);
    }
  }
  for (const [key, col] of Object.entries(FACET_COLUMNS)) {
    const v = f[key as keyof typeof FACET_COLUMNS];
    if (v) {
      parts.push(sql`${sql.ref(`s.${col}`)} = ${v}`);
    }
  }
  return sql.join(parts, sql` and `);
}

/** Writes a resource's index row (tokens only when given: a status change keeps them). */
async function syncSearch(db: Executor, r: ResourceRow, tokens?: string[]): Promise<void> {
  const cols = {
    name: r.name,
    code: r.code,
    status: r.status,
    version: r.version,
    provider_org_id: r.provider_org_id,
    provider_name: r.provider_name,
    category: r.category,
    share_type: r.share_type,
    open_type: r.open_type,
    format_category: r.format_category,
    update_cycle: r.update_cycle,
    level: r.level,
    updated_at: r.updated_at,
  };
  if (tokens) {
    await db
      .insertInto('catalog_search')
      .values({ resource_id: r.id, tokens: sql`${[...tokens, ...facetTokens(r)]}::text[]` as never, ...cols })
      .onConflict((oc) =>
        oc.column('resource_id').doUpdateSet({ tokens: sql`excluded.tokens` as never, ...cols }),
      )
      .execute();
  } else {
    await db.updateTable('catalog_search').set(cols).where('resource_id', '=', r.id).execute();
  }
}

export const catalogRepository = {
  /** Inserts a resource and its search index row (`tokens`: segment.ts index tokens) — same transaction. */
  async insert(db: Executor, row: NewResourceRow, tokens: string[]): Promise<ResourceRow> {
    const r = await db.insertInto('catalog_resource').values(row).returningAll().executeTakeFirstOrThrow();
    await syncSearch(db, r, tokens);
    return r;
  },

  /** Updates a resource and its search index row (tokens when the indexed text may have changed). */
  async update(db: Executor, id: string, patch: ResourcePatch, tokens?: string[]): Promise<ResourceRow> {
    const r = await db
      .updateTable('catalog_resource')
      .set({ ...patch, updated_at: sql`now()` as never })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await syncSearch(db, r, tokens);
    return r;
  },

  /** Resources without a search index row (at most `limit`). */
  async unindexed(db: Executor, limit: number): Promise<ResourceRow[]> {
    return db
      .selectFrom('catalog_resource as r')
      .selectAll('r')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('catalog_search as s').select('s.resource_id').whereRef('s.resource_id', '=', 'r.id'),
          ),
        ),
      )
      .orderBy('r.id')
      .limit(limit)
      .execute();
  },

  /** Writes (or replaces) a resource's search index row. */
  async writeSearch(db: Executor, r: ResourceRow, tokens: string[]): Promise<void> {
    await syncSearch(db, r, tokens);
  },

  async byRef(db: Executor, ref: string, forUpdate = false): Promise<ResourceRow | undefined> {
    let q = db
      .selectFrom('catalog_resource')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('code', '=', ref)]));
    if (forUpdate) {
      q = q.forUpdate();
    }
    return q.executeTakeFirst();
  },

  async byIds(db: Executor, ids: string[]): Promise<ResourceRow[]> {
    return ids.length === 0
      ? []
      : db.selectFrom('catalog_resource').selectAll().where('id', 'in', ids).execute();
  },

  async existsByOrgAndName(db: Executor, orgId: string, name: string, exceptId?: string): Promise<boolean> {
    let q = db
      .selectFrom('catalog_resource')
      .select('id')
      .where('provider_org_id', '=', orgId)
      .where('name', '=', name)
      .where('status', '<>', 'deprecated');
    if (exceptId) {
      q = q.where('id', '<>', exceptId);
    }
    return (await q.executeTakeFirst()) !== undefined;
  },

  async codeTaken(db: Executor, code: string): Promise<boolean> {
    return (
      (await db.selectFrom('catalog_resource').select('id').where('code', '=', code).executeTakeFirst()) !==
      undefined
    );
  },

  /** Next 后段码 for a 前段码 (atomic upsert). */
  async nextSeq(db: Executor, prefix: string, atLeast = 0): Promise<number> {
    const row = await db
      .insertInto('catalog_seq')
      .values({ prefix, last: Math.max(1, atLeast) })
      .onConflict((oc) =>
        oc.column('prefix').doUpdateSet({ last: sql`greatest(catalog_seq.last + 1, ${atLeast})` as never }),
      )
      .returning('last')
      .executeTakeFirstOrThrow();
    return row.last;
  },

  async insertVersion(db: Executor, row: Insertable<CatalogVersionTable>): Promise<void> {
    await db.insertInto('catalog_version').values(row).execute();
  },

  async versions(db: Executor, resourceId: string): Promise<VersionRow[]> {
    return db
      .selectFrom('catalog_version')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('version')
      .execute();
  },

  async version(db: Executor, resourceId: string, version: number): Promise<VersionRow | undefined> {
    return db
      .selectFrom('catalog_version')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('version', '=', version)
      .executeTakeFirst();
  },

  async insertReview(db: Executor, row: Insertable<CatalogReviewTable>): Promise<void> {
    await db.insertInto('catalog_review').values(row).execute();
  },

  async reviews(db: Executor, resourceId: string): Promise<ReviewRow[]> {
    return db
      .selectFrom('catalog_review')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('id')
      .execute();
  },

  /** A page of summaries in result order, with the total (pages beyond the cached ids). */
  async search(
    db: Executor,
    f: SearchFilter,
    opts: { sort: string; limit: number; offset: number },
  ): Promise<{ rows: SummaryRow[]; total: number }> {
    const res = await sql<SummaryRow & { total: number | string }>`
      with p as (
        select s.resource_id as id, row_number() over (order by ${orderBy(f, opts.sort)}) as ord,
          count(*) over () as total
        from catalog_search s ${opts.sort === 'views' ? sql`join catalog_resource r on r.id = s.resource_id` : sql``}
        cross join lateral (select ${nameHits(f)} as rank) k
        where ${where(f)}
        order by ord limit ${opts.limit} offset ${opts.offset})
      select ${sql.join(SUMMARY.map((c) => sql.ref(`c.${c}`)))}, p.total
      from p join catalog_resource c on c.id = p.id order by p.ord`.execute(db);
    let total = res.rows.length > 0 ? Number(res.rows[0]?.total) : 0;
    if (res.rows.length === 0 && opts.offset > 0) {
      const c = await sql<{
        n: number | string;
      }>`select count(*) as n from catalog_search s where ${where(f)}`.execute(db);
      total = Number(c.rows[0]?.n ?? 0);
    }
    return { rows: res.rows.map(({ total: _t, ...r }) => r as SummaryRow), total };
  },

  /**
   * One statement per search over the index table: at most `SEARCH_WINDOW` + 1 matching index rows
   * (narrow; the GIN index answers the tokens), their count, the first `cap` ids in result order and every
   * facet's counts (one pass, GROUPING SETS) — the wide resource rows are not read. A search that matches
   * more than the window (a very common word, a browse of everything) is bounded, as Elasticsearch bounds
   * its total hits: `exact` is false, `total` is the window's size (a lower bound; a plain browse without
   * terms or filters is counted exactly from an index), facets are counted and the results ordered over the
   * window; a browse without query terms takes its first ids from a second query, ordered by an index.
   */
  async searchHits(
    db: Executor,
    f: SearchFilter,
    sort: string,
    cap: number,
  ): Promise<{ total: number; exact: boolean; ids: string[]; facets: FacetCount[] }> {
    const cols = Object.values(FACET_COLUMNS);
    const facetCase = sql.join(
      Object.entries(FACET_COLUMNS).map(
        ([facet, col]) => sql`when grouping(${sql.ref(col)}) = 0 then ${facet}::text`,
      ),
      sql` `,
    );
    const valueCase = sql.join(
      Object.values(FACET_COLUMNS).map(
        (col) => sql`when grouping(${sql.ref(col)}) = 0 then ${sql.ref(col)}::text`,
      ),
      sql` `,
    );
    const res = await sql<{ total: number | string; ids: string[] | null; facets: FacetCount[] | null }>`
      with m as materialized (
        select s.resource_id, s.name, s.code, s.updated_at, s.provider_name,
          ${sql.join(cols.map((c) => sql.ref(`s.${c}`)))}, ${
            sort === 'relevance' && f.terms ? nameHits(f) : sql`0`
          } as rank
        from catalog_search s where ${where(f)} limit ${SEARCH_WINDOW + 1})
      select (select count(*) from m) as total,
        array(select s.resource_id from m s ${
          sort === 'views' ? sql`join catalog_resource r on r.id = s.resource_id` : sql``
        } order by ${orderBy(f, sort)} limit ${cap}) as ids,
        (select json_agg(x) from (
          select case ${facetCase} end as facet, case ${valueCase} end as value,
            case when grouping(provider_org_id) = 0 then min(provider_name) else '' end as label,
            count(*) as count
          from m group by grouping sets (${sql.join(cols.map((c) => sql`(${sql.ref(c)})`))})) x) as facets`.execute(
      db,
    );
    const r = res.rows[0];
    let total = Number(r?.total ?? 0);
    let ids = r?.ids ?? [];
    let exact = total <= SEARCH_WINDOW;
    if (!exact) {
      total = SEARCH_WINDOW;
      if (!f.terms) {
        // A browse: its order comes from an index (updated, name, code), exact and cheap.
        ids = (
          await sql<{ id: string }>`select s.resource_id as id from catalog_search s ${
            sort === 'views' ? sql`join catalog_resource r on r.id = s.resource_id` : sql``
          } where ${where(f, false)} order by ${orderBy(f, sort)} limit ${cap}`.execute(db)
        ).rows.map((x) => x.id);
      }
      const filtered = Object.keys(FACET_COLUMNS).some((k) => f[k as keyof typeof FACET_COLUMNS]);
      if (!f.terms && !filtered) {
        const c = await sql<{
          n: string | number;
        }>`select count(*) as n from catalog_resource s where ${where(f, false)}`.execute(db);
        total = Number(c.rows[0]?.n ?? total);
        exact = true;
      }
    }
    return {
      total,
      exact,
      ids,
      facets: (r?.facets ?? []).map((x) => ({ ...x, count: Number(x.count) })),
    };
  },

  /** The summaries of the given ids that still satisfy the filter's scope and facets, in the given order. */
  async summaries(db: Executor, f: SearchFilter, ids: string[]): Promise<SummaryRow[]> {
    if (ids.length === 0) {
      return [];
    }
    const res = await sql<SummaryRow>`
      select ${sql.join(SUMMARY.map((c) => sql.ref(`c.${c}`)))}
      from catalog_search s join catalog_resource c on c.id = s.resource_id
      where s.resource_id = any(${ids}::text[]) and ${where(f, false)}`.execute(db);
    const byId = new Map(res.rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  },

  /** Adds buffered search/view/request counts in one statement. */
  async addCounts(
    db: Executor,
    deltas: Map<string, { search: number; view: number; request: number }>,
  ): Promise<void> {
    if (deltas.size === 0) {
      return;
    }
    const values = sql.join(
      [...deltas].map(
        ([id, d]) => sql`(${id}::text, ${d.search}::bigint, ${d.view}::bigint, ${d.request}::bigint)`,
      ),
    );
    await sql`update catalog_resource r set search_count = r.search_count + v.s, view_count = r.view_count + v.v,
      request_count = r.request_count + v.q from (values ${values}) as v(id, s, v, q) where r.id = v.id`.execute(
      db,
    );
  },

  async publishedAll(db: Executor, limit: number, offset: number): Promise<ResourceRow[]> {
    return db
      .selectFrom('catalog_resource')
      .selectAll()
      .where('version', '>', 0)
      .orderBy('code')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  async listAll(db: Executor, orgId: string | null): Promise<ResourceRow[]> {
    let q = db.selectFrom('catalog_resource').selectAll().orderBy('code');
    if (orgId) {
      q = q.where('provider_org_id', '=', orgId);
    }
    return q.execute();
  },

  // 责任清单
  async insertDuty(db: Executor, row: Insertable<CatalogDutyTable>): Promise<DutyRow> {
    return db.insertInto('catalog_duty').values(row).returningAll().executeTakeFirstOrThrow();
  },
  async duties(db: Executor, orgId: string | null): Promise<Array<DutyRow & { resource_id: string | null }>> {
    let q = db
      .selectFrom('catalog_duty as d')
      .leftJoin('catalog_resource as r', (j) =>
        j
          .onRef('r.provider_org_id', '=', 'd.org_id')
          .onRef('r.name', '=', 'd.name')
          .on('r.status', '<>', 'deprecated'),
      )
      .selectAll('d')
      .select((eb) => eb.fn.min('r.id').as('resource_id'))
      .groupBy(['d.id'])
      .orderBy('d.org_id')
      .orderBy('d.name');
    if (orgId) {
      q = q.where('d.org_id', '=', orgId);
    }
    return q.execute() as Promise<Array<DutyRow & { resource_id: string | null }>>;
  },
  async dutyExists(db: Executor, orgId: string, name: string): Promise<boolean> {
    return (
      (await db
        .selectFrom('catalog_duty')
        .select('id')
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst()) !== undefined
    );
  },

  // 需求清单
  async insertDemand(db: Executor, row: Insertable<CatalogDemandTable>): Promise<DemandRow> {
    return db.insertInto('catalog_demand').values(row).returningAll().executeTakeFirstOrThrow();
  },
  async demand(db: Executor, id: string): Promise<DemandRow | undefined> {
    return db.selectFrom('catalog_demand').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async demands(db: Executor, status?: string): Promise<DemandRow[]> {
    let q = db.selectFrom('catalog_demand').selectAll().orderBy('created_at', 'desc').limit(1000);
    if (status) {
      q = q.where('status', '=', status);
    }
    return q.execute();
  },
  async updateDemand(db: Executor, id: string, patch: Updateable<CatalogDemandTable>): Promise<DemandRow> {
    return db
      .updateTable('catalog_demand')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  // 负面清单: published resources that are not shared, or carry items that are not shared.
  async negative(db: Executor): Promise<ResourceRow[]> {
    return db
      .selectFrom('catalog_resource')
      .selectAll()
      .where('version', '>', 0)
      .where('status', '<>', 'deprecated')
      .where((eb) =>
        eb.or([eb('share_type', '=', 'none'), sql<boolean>`items @> '[{"shareType":"none"}]'::jsonb`]),
      )
      .orderBy('code')
      .execute();
  },

  /** Resources per provider and status (for the statistics capability), optionally one provider's. */
  countsByProvider(db: Executor, orgId: string | null) {
    let q = db
      .selectFrom('catalog_resource')
      .select(['provider_org_id', 'provider_name', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['provider_org_id', 'provider_name', 'status']);
    if (orgId !== null) {
      q = q.where('provider_org_id', '=', orgId);
    }
    return q.execute();
  },
};
