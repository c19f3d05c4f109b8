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

/** Search-index text per weight: A name and code, B abstract and provider, C items. */
export interface SearchText {
  a: string;
  b: string;
  c: string;
}

const vector = (t: SearchText) =>
  sql<string>`setweight(to_tsvector('simple', ${t.a}), 'A') || setweight(to_tsvector('simple', ${t.b}), 'B') || setweight(to_tsvector('simple', ${t.c}), 'C')`;

export interface SearchFilter {
  tsquery: string | null;
  /**
   * Relevance: 'text' ranks rows whose name (then abstract) contains the query text first — cheap, no
   * tsvector detoasting; 'rank' uses ts_rank (the typo-tolerant fallback, where how many terms match counts).
   */
  rank?: { kind: 'text'; text: string } | { kind: 'rank' };
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

/** The columns the facets are computed from. */
const FACET_SOURCE = [
  'provider_org_id',
  'provider_name',
  'category',
  'share_type',
  'open_type',
  'format_category',
  'update_cycle',
  'level',
] as const;

/** Result order; 'relevance' needs a query (text: the query's text in name, then abstract; rank: ts_rank). */
function orderBy(f: SearchFilter, sort: string) {
  return sort === 'relevance' && f.tsquery && f.rank?.kind === 'text'
    ? sql`(strpos(name, ${f.rank.text}) > 0) desc, (strpos(abstract, ${f.rank.text}) > 0) desc, updated_at desc, id`
    : sort === 'relevance' && f.tsquery
      ? sql`ts_rank(search_vector, to_tsquery('simple', ${f.tsquery})) desc, updated_at desc, id`
      : sort === 'name'
        ? sql`name, id`
        : sort === 'views'
          ? sql`view_count desc, id`
          : sort === 'code'
            ? sql`code`
            : sql`updated_at desc, id`;
}

function where(f: SearchFilter) {
  const parts = [];
  if (f.tsquery) {
    parts.push(sql`search_vector @@ to_tsquery('simple', ${f.tsquery})`);
  }
  if (f.scope.kind === 'public') {
    parts.push(sql`version > 0 and status <> 'deprecated'`);
  } else {
    parts.push(sql`status = ${f.scope.status}`);
    if (f.scope.orgId) {
      parts.push(sql`provider_org_id = ${f.scope.orgId}`);
    }
  }
  for (const [key, col] of Object.entries(FACET_COLUMNS)) {
    const v = f[key as keyof typeof FACET_COLUMNS];
    if (v) {
      parts.push(sql`${sql.ref(col)} = ${v}`);
    }
  }
  return sql.join(parts, sql` and `);
}

export const catalogRepository = {
  async insert(db: Executor, row: NewResourceRow, text: SearchText): Promise<ResourceRow> {
    return db
      .insertInto('catalog_resource')
      .values({ ...row, search_vector: vector(text) as never })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async update(db: Executor, id: string, patch: ResourcePatch, text?: SearchText): Promise<ResourceRow> {
    return db
      .updateTable('catalog_resource')
      .set({
        ...patch,
        ...(text ? { search_vector: vector(text) as never } : {}),
        updated_at: sql`now()` as never,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
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

  async search(
    db: Executor,
    f: SearchFilter,
    opts: { sort: string; limit: number; offset: number },
  ): Promise<{ rows: SummaryRow[]; total: number }> {
    const rows = await sql<SummaryRow & { total: number | string }>`
      select ${sql.join(SUMMARY.map((c) => sql.ref(c)))}, count(*) over () as total
      from catalog_resource where ${where(f)}
      order by ${orderBy(f, opts.sort)} limit ${opts.limit} offset ${opts.offset}`.execute(db);
    let total = rows.rows.length > 0 ? Number(rows.rows[0]?.total) : 0;
    if (rows.rows.length === 0 && opts.offset > 0) {
      const c = await sql<{
        n: number | string;
      }>`select count(*) as n from catalog_resource where ${where(f)}`.execute(db);
      total = Number(c.rows[0]?.n ?? 0);
    }
    return { rows: rows.rows, total };
  },

  /**
   * One pass over the matching rows: the total, the first `cap` ids in result order and the facet counts
   * (GROUP BY per facet), from one materialised scan — the heap is read once, not once per question.
   */
  async searchHits(
    db: Executor,
    f: SearchFilter,
    sort: string,
    cap: number,
  ): Promise<{ total: number; ids: string[]; facets: FacetCount[] }> {
    const order = orderBy(f, sort);
    const cols = [
      'id',
      'code',
      'name',
      'updated_at',
      'view_count',
      ...FACET_SOURCE,
      ...(f.rank?.kind === 'text' && f.tsquery && sort === 'relevance' ? ['abstract'] : []),
      ...(f.rank?.kind === 'rank' && f.tsquery && sort === 'relevance' ? ['search_vector'] : []),
    ].map((c) => sql.ref(c));
    const parts = Object.entries(FACET_COLUMNS).map(
      ([facet, col]) =>
        sql`select ${facet}::text as facet, ${sql.ref(col)}::text as value, ${
          facet === 'provider' ? sql`min(provider_name)` : sql`''`
        }::text as label, count(*) as count from m group by ${sql.ref(col)}`,
    );
    const res = await sql<{ total: number | string; ids: string[] | null; facets: FacetCount[] | null }>`
      with m as materialized (select ${sql.join(cols)} from catalog_resource where ${where(f)})
      select (select count(*) from m) as total,
        array(select id from m order by ${order} limit ${cap}) as ids,
        (select json_agg(x) from (${sql.join(parts, sql` union all `)}) x) as facets`.execute(db);
    const r = res.rows[0];
    return {
      total: Number(r?.total ?? 0),
      ids: r?.ids ?? [],
      facets: (r?.facets ?? []).map((x) => ({ ...x, count: Number(x.count) })),
    };
  },

  /** The summaries of the given ids that still satisfy the filter's scope and facets, in the given order. */
  async summaries(db: Executor, f: SearchFilter, ids: string[]): Promise<SummaryRow[]> {
    if (ids.length === 0) {
      return [];
    }
    const res = await sql<SummaryRow>`
      select ${sql.join(SUMMARY.map((c) => sql.ref(c)))} from catalog_resource
      where id = any(${ids}::text[]) and ${where({ ...f, tsquery: null })}`.execute(db);
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
