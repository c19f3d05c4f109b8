import { type Kysely, sql } from 'kysely';

/** Scheduled syncs (前置机 style) from a linked dataset into a hosted one, and the history of their runs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dataset_sync_job')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_dataset_id', 'text', (c) => c.notNull().references('dataset.id').onDelete('cascade'))
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('key_items', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('since_item', 'text')
    .addColumn('on_error', 'text', (c) => c.notNull())
    .addColumn('every_minutes', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('dataset_sync_job_due')
    .on('dataset_sync_job')
    .columns(['enabled', 'next_run_at'])
    .execute();
  await db.schema
    .createTable('dataset_sync_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('dataset_sync_job.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_loaded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dataset_sync_run_job')
    .on('dataset_sync_run')
    .columns(['job_id', 'started_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dataset_sync_run').execute();
  await db.schema.dropTable('dataset_sync_job').execute();
}
