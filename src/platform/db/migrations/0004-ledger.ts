import { type Kysely, sql } from 'kysely';

/**
 * The verifiable ledger: the sequence of integrated events (leaf hashes), C2SP tlog tiles, signed
 * checkpoints, signing keys, personal data stored beside entries (erasable), witness state.
 * The `event` table (0001) and its append-only trigger stay as they are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('hash_alg', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('root', 'bytea', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('ledger_leaf')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('leaf_hash', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_leaf_hash_idx').on('ledger_leaf').column('leaf_hash').execute();
  await db.schema
    .createTable('ledger_tile')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hashes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_tile_pk', ['level', 'idx'])
    .execute();
  await db.schema
    .createTable('ledger_checkpoint')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root', 'bytea', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('ledger_cosignature')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ledger_cosignature_pk', ['size', 'witness'])
    .execute();
  await db.schema
    .createTable('ledger_key')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('public_key', 'bytea', (c) => c.notNull())
    .addColumn('private_key', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('ledger_personal')
    .addColumn('event_id', 'bigint', (c) => c.primaryKey())
    .addColumn('digest', 'bytea', (c) => c.notNull())
    .addColumn('salt', 'bytea')
    .addColumn('data', 'jsonb')
    .addColumn('erased_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('ledger_witnessed_log')
    .addColumn('origin', 'text', (c) => c.primaryKey())
    .addColumn('vkey', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('root', 'bytea')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Leaves and checkpoints are append-only like the events themselves.
  await sql`
    create function ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only', tg_table_name;
    end $$`.execute(db);
  for (const t of ['ledger_leaf', 'ledger_checkpoint']) {
    await sql`create trigger ${sql.raw(`${t}_no_update`)} before update or delete on ${sql.raw(t)}
      for each row execute function ledger_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'ledger_witnessed_log',
    'ledger_personal',
    'ledger_key',
    'ledger_cosignature',
    'ledger_checkpoint',
    'ledger_tile',
    'ledger_leaf',
    'ledger_state',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop function if exists ledger_append_only()`.execute(db);
}
