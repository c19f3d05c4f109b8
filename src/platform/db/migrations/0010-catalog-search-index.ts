import { type Kysely, sql } from 'kysely';

/**
 * The catalog's search index as its own narrow table, `catalog_search`, one row per resource, written by
 * the catalog repository in the same transaction as the resource:
 * - `tokens`: the resource's index tokens (Chinese unigrams and bigrams, Latin words with their prefixes —
 *   src/catalog/segment.ts) over name, code, abstract, provider and items, a GIN-indexed text array (an
 *   inverted index: `tokens @> query tokens` is answered from the index alone, without a recheck);
 *   the facet values are tokens too (`level:core`, `provider:<id>`), so that filters are answered by the
 *   index with the terms;
 * - the columns a search filters, ranks, sorts and counts facets by (name, code, status, version, provider,
 *   classification, share/open type, format, update cycle, level, updated_at): a search reads this table's
 *   rows and never the wide resource rows (items, abstract), except for the page of summaries it returns.
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
  )`.execute(db);
  await sql`create index catalog_search_tokens_idx on catalog_search using gin (tokens)`.execute(db);
  await sql`create index catalog_search_updated_idx on catalog_search (updated_at desc, resource_id)`.execute(
    db,
  );
  await sql`create index catalog_search_name_idx on catalog_search (name, resource_id)`.execute(db);
  await sql`create index catalog_search_code_idx on catalog_search (code)`.execute(db);

  // Existing resources get their rows when the store is next opened (CatalogService.indexMissing): the
  // tokens are the catalog's rules (src/catalog/segment.ts), which the platform's migrations do not import.
  await sql`drop index if exists catalog_resource_search_idx`.execute(db);
  await sql`alter table catalog_resource drop column search_vector`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table catalog_resource add column search_vector tsvector`.execute(db);
  await sql`drop table catalog_search`.execute(db);
}
