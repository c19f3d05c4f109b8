import { type Config, loadConfig } from '../platform/config.js';
import { lockDataDir } from '../platform/db/data-dir-lock.js';
import { type Database, openDatabase } from '../platform/db/database.js';
import { migrateToLatest, type MigrationReport } from '../platform/db/migrator.js';
import { createServices, type Services } from '../container.js';

export interface CliContext {
  config: Config;
  database: Database;
  services: Services;
  migration: MigrationReport;
  close(): Promise<void>;
}

/**
 * Opens the store the environment names (DATABASE_URL, else GOVHUB_DATA_DIR), takes the embedded
 * data-directory lock, applies pending migrations and builds the services.
 */
export async function openContext(purpose: string, overrides: Partial<Config> = {}): Promise<CliContext> {
  const config = loadConfig(process.env, overrides);
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir, purpose);
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (e) {
    unlock();
    throw e;
  }
  try {
    const migration = await migrateToLatest(database.db);
    const services = createServices(database, config);
    // Resources catalogued before the search index table existed (migration 0010) are indexed now.
    await services.catalog.indexMissing();
    return {
      config,
      database,
      services,
      migration,
      close: async () => {
        // Search/view/request counts are buffered in memory; write what is left before the store closes.
        await services.catalog.flushCounters().catch(() => undefined);
        await services.datasets.close();
        await database.close();
        unlock();
      },
    };
  } catch (e) {
    await database.close();
    unlock();
    throw e;
  }
}
