import { type Kysely, sql } from 'kysely';

/**
 * Deadline reminders and escalations of share requests as notifications for the people who must act
 * (the step's approvers), and which reminders of a review step were already sent (the sweep is idempotent).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sharing_notification')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull().references('share_request.id').onDelete('cascade'))
    .addColumn('step_id', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('sharing_notification_user')
    .on('sharing_notification')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('request_step_reminder')
    .addColumn('step_id', 'text', (c) => c.notNull().references('request_step.id').onDelete('cascade'))
    .addColumn('working_days_left', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_step_reminder_pk', ['step_id', 'working_days_left'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_step_reminder').execute();
  await db.schema.dropTable('sharing_notification').execute();
}
