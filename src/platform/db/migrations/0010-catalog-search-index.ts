import { type Kysely, sql } from 'kysely';
import { addIndexTokens } from '../../../catalog/segment.js';

/**
 * The catalog's search index as its own narrow table, `catalog_search`, one row per resource, written by
 * the catalog repository in the same transaction as the resource:
 * - `tokens`: the resource's index tokens (Chinese unigrams and bigrams, Latin words with their prefixes —
 *   src/catalog/segment.ts) over name, code, abstract, provider and items, a GIN-indexed text array (an
 *   inverted index: `tokens @> query tokens` is answered from the index alone, without a recheck). It is
 *   stored out of line (toast_tuple_target, storage external), so that the rows a search reads stay small;
 * - the columns a search filters, ranks, sorts and counts facets by (name, code, status, version, provider,
 *   classification, share/open type, format, update cycle, level, updated_at): a search reads this table's
 *   ≈100 narrow rows per 8 kB page and never the wide resource rows (items, abstract), except for the page
 *   of summaries it returns.
 * Replaces `catalog_resource.search_vector` (a tsvector with positions, read for every match).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table catalog_search (
    resource_id text primary key references catalog_resource(id) on delete cascade,
    tokens text[] not null,
    name text not null,
    code text not null,
    status text not null,
    version integer not null,
    provider_org_id text not null,
    provider_name text not null,
    category text not null,
    share_type text not null,
    open_type text not null,
    format_category text not null,
    update_cycle text not null,
    level text not null,
    updated_at timestamptz not null
  ) with (toast_tuple_target = 512)`.execute(db);
  await sql`alter table catalog_search alter column tokens set storage external`.execute(db);
  await sql`create index catalog_search_tokens_idx on catalog_search using gin (tokens)`.execute(db);
  await sql`create index catalog_search_updated_idx on catalog_search (updated_at desc, resource_id)`.execute(
    db,
  );

  // Existing resources: their tokens, as the catalog computes them (a few hundred rows per statement).
  let after = '';
  for (;;) {
    const rows = (
      await sql<{
        id: string;
        name: string;
        code: string;
        abstract: string;
        provider_name: string;
        items: Array<{ name?: string; description?: string | null }> | string;
      }>`select id, name, code, abstract, provider_name, items from catalog_resource
         where id > ${after} order by id limit 500`.execute(db)
    ).rows;
    if (rows.length === 0) {
      break;
    }
    for (const r of rows) {
      const items = typeof r.items === 'string' ? (JSON.parse(r.items) as typeof r.items) : r.items;
      const tokens = new Set<string>();
      for (const t of [
        r.name,
        r.code.replace('/', ' '),
        r.abstract,
        r.provider_name,
        ...(Array.isArray(items) ? items.flatMap((i) => [i.name ?? '', i.description ?? '']) : []),
      ]) {
        addIndexTokens(t, tokens);
      }
      await sql`insert into catalog_search (resource_id, tokens, name, code, status, version, provider_org_id,
          provider_name, category, share_type, open_type, format_category, update_cycle, level, updated_at)
        select id, ${[...tokens]}::text[], name, code, status, version, provider_org_id, provider_name, category,
          share_type, open_type, format_category, update_cycle, level, updated_at
        from catalog_resource where id = ${r.id}`.execute(db);
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
  await sql`drop index if exists catalog_resource_search_idx`.execute(db);
  await sql`alter table catalog_resource drop column search_vector`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table catalog_resource add column search_vector tsvector`.execute(db);
  await sql`drop table catalog_search`.execute(db);
}
