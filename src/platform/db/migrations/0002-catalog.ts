import { type Kysely, sql } from 'kysely';

/** The catalog: resources (items inline as jsonb), published versions, reviews, the three lists. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('catalog_resource')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('class_item', 'text', (c) => c.notNull())
    .addColumn('class_catalog', 'text', (c) => c.notNull())
    .addColumn('class_detail', 'text')
    .addColumn('provider_org_id', 'text', (c) => c.notNull().references('org.id'))
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('abstract', 'text', (c) => c.notNull())
    .addColumn('format_category', 'text', (c) => c.notNull())
    .addColumn('format_type', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('share_type', 'text', (c) =>
      c.notNull().check(sql`share_type in ('unconditional', 'conditional', 'none')`),
    )
    .addColumn('share_condition', 'text')
    .addColumn('share_mode', 'text', (c) => c.notNull())
    .addColumn('share_mode_type', 'text')
    .addColumn('open_type', 'text', (c) =>
      c.notNull().check(sql`open_type in ('unconditional', 'conditional', 'none')`),
    )
    .addColumn('open_condition', 'text')
    .addColumn('update_cycle', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('core', 'important', 'general')`))
    .addColumn('related_codes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('extensions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'approved', 'published', 'deprecated')`),
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('publish_date', 'text')
    .addColumn('deprecation', 'jsonb')
    .addColumn('submitted_by', 'text')
    .addColumn('search_vector', sql`tsvector`)
    .addColumn('search_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('view_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('request_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index catalog_resource_search_idx on catalog_resource using gin (search_vector)`.execute(
    db,
  );
  await db.schema
    .createIndex('catalog_resource_provider_idx')
    .on('catalog_resource')
    .column('provider_org_id')
    .execute();
  await db.schema
    .createIndex('catalog_resource_status_idx')
    .on('catalog_resource')
    .columns(['status', 'version'])
    .execute();
  await db.schema
    .createIndex('catalog_resource_name_idx')
    .on('catalog_resource')
    .columns(['provider_org_id', 'name'])
    .execute();

  await db.schema
    .createTable('catalog_version')
    .addColumn('resource_id', 'text', (c) => c.notNull().references('catalog_resource.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('catalog_version_pk', ['resource_id', 'version'])
    .execute();

  await db.schema
    .createTable('catalog_review')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('catalog_resource.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('catalog_review_resource_idx')
    .on('catalog_review')
    .column('resource_id')
    .execute();

  await db.schema
    .createTable('catalog_seq')
    .addColumn('prefix', 'text', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('catalog_duty')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('org.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('basis', 'text')
    .addColumn('due_date', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('catalog_duty_org_name_uq', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('catalog_demand')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('requester_org_id', 'text')
    .addColumn('requester_id', 'text')
    .addColumn('contact', 'text')
    .addColumn('target_org_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'answered', 'fulfilled')`))
    .addColumn('answer', 'text')
    .addColumn('resource_id', 'text', (c) => c.references('catalog_resource.id'))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'catalog_demand',
    'catalog_duty',
    'catalog_seq',
    'catalog_review',
    'catalog_version',
    'catalog_resource',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
