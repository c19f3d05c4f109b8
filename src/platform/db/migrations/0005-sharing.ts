import { type Kysely, sql } from 'kysely';

/**
 * Sharing (共享): share requests with their items and decision steps (deadlines in working days), grants with
 * their items, objections (数据异议), the region's review rule / SLA / calendar overrides, and the usage meter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('share_request')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requester_org_id', 'text', (c) => c.notNull())
    .addColumn('requester_app_id', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('provider_org_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull())
    .addColumn('modes', 'jsonb', (c) => c.notNull())
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_to', 'timestamptz', (c) => c.notNull())
    .addColumn('expected_volume', 'text')
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('share_request_orgs_idx')
    .on('share_request')
    .columns(['requester_org_id', 'provider_org_id'])
    .execute();
  await db.schema
    .createTable('request_item')
    .addColumn('request_id', 'text', (c) => c.notNull().references('share_request.id').onDelete('cascade'))
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('share_type', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_item_pk', ['request_id', 'resource_id', 'item'])
    .execute();
  await db.schema
    .createTable('request_step')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('share_request.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('request_step_request_idx').on('request_step').column('request_id').execute();
  await db.schema
    .createTable('share_grant')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.references('share_request.id'))
    .addColumn('consumer_org_id', 'text', (c) => c.notNull())
    .addColumn('consumer_app_id', 'text')
    .addColumn('provider_org_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('row_filter', 'jsonb')
    .addColumn('masking_profile', 'jsonb', (c) => c.notNull())
    .addColumn('modes', 'jsonb', (c) => c.notNull())
    .addColumn('quota', 'jsonb')
    .addColumn('rate', 'jsonb')
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_to', 'timestamptz', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('linkage_scope', 'text')
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('share_grant_consumer_idx')
    .on('share_grant')
    .column('consumer_org_id')
    .execute();
  await db.schema
    .createTable('grant_item')
    .addColumn('grant_id', 'text', (c) => c.notNull().references('share_grant.id').onDelete('cascade'))
    .addColumn('item', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('grant_item_pk', ['grant_id', 'item'])
    .execute();
  await db.schema
    .createTable('objection')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reporter_org_id', 'text', (c) => c.notNull())
    .addColumn('reported_by', 'text')
    .addColumn('provider_org_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.references('share_grant.id'))
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('sharing_region_rule')
    .addColumn('region', 'text', (c) => c.primaryKey())
    .addColumn('bureau_rule', 'jsonb', (c) => c.notNull())
    .addColumn('sla', 'jsonb', (c) => c.notNull())
    .addColumn('calendar_overrides', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('usage_meter')
    .addColumn('grant_id', 'text', (c) => c.notNull().references('share_grant.id').onDelete('cascade'))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_meter_pk', ['grant_id', 'period_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'usage_meter',
    'sharing_region_rule',
    'objection',
    'grant_item',
    'share_grant',
    'request_step',
    'request_item',
    'share_request',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
