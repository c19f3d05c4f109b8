import type { Kysely } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { AppError } from '../errors.js';
import { migrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
  current: string | undefined;
}

/** Applies every pending migration in order, in one transaction per migration. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError(500, 'MIGRATION_FAILED', 'error.migrationFailed', {
      params: { name: failed },
      cause: result.error,
    });
  }
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const all = await migrator.getMigrations();
  const current = all.filter((m) => m.executedAt !== undefined).at(-1)?.name;
  return { applied, current };
}

export async function listMigrations(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
  db: Kysely<any>,
): Promise<Array<{ name: string; executedAt: Date | undefined }>> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
