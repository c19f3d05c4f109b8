import { CatalogService } from './catalog/catalog.service.js';
import { DatasetService } from './datasets/dataset.service.js';
import { CatalogResources } from './datasets/catalog-resources.js';
import { SyncJobService } from './datasets/sync-jobs.service.js';
import { UploadStore } from './datasets/uploads.js';
import { DemoService } from './demo/demo.service.js';
import { Access } from './identity/access.js';
import { AppService } from './identity/app.service.js';
import { AuthService, type CachedKey } from './identity/auth.service.js';
import { KeyCache } from './identity/key-cache.js';
import { OidcService } from './identity/oidc.service.js';
import { OrgService } from './identity/org.service.js';
import { ownershipRepository } from './identity/ownership.repository.js';
import { SYSTEM } from './identity/actor.js';
import { UserService } from './identity/user.service.js';
import { LedgerService } from './ledger/ledger.service.js';
import { ledgerOptionsFromEnv } from './ledger/options.js';
import { periodicTask } from './platform/background.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { SecretBox } from './platform/secrets.js';
import { GrantChanges } from './sharing/grant-changes.js';
import { DataPipeline } from './sharing/pipeline.js';
import { SharingService } from './sharing/sharing.service.js';
import { StatsService } from './stats/stats.service.js';

/**
 * The composition root: builds every service once with exactly the dependencies it uses.
 * The HTTP server and the CLI both start from here, so they share one set of rules.
 */
export function createServices(database: Database, config: Config) {
  const db = database.db;
  const access = new Access(ownershipRepository(db));
  const secrets = SecretBox.open({ secretKey: config.secretKey, dataDir: config.dataDir });
  const ledgerOptions = ledgerOptionsFromEnv(process.env);
  const ledger = new LedgerService({
    db,
    access,
    // Back-pressure needs a second connection for the integrator while a writer waits.
    options: { ...ledgerOptions, backlog: database.kind === 'postgres' ? ledgerOptions.backlog : 0 },
    secrets,
    pgPool: database.pgPool,
  });
  const keyCache = new KeyCache<CachedKey>();
  const orgs = new OrgService({ db, access, ledger });
  const users = new UserService({ db, access, ledger });
  const apps = new AppService({ db, access, ledger, keyCache: keyCache as KeyCache<unknown> });
  const auth = new AuthService({ db, ledger, config, keyCache });
  const oidc = config.oidc ? new OidcService({ db, auth, config: config.oidc }) : undefined;
  const catalog = new CatalogService({
    db,
    access,
    ledger,
    orgs,
    baseUrl: config.publicUrl ?? '',
    codeRules: { widths: config.catalog.codeWidths, seqWidth: config.catalog.seqWidth },
    searchCache: {
      ttlMs: config.catalog.searchCacheMs,
      maxEntries: 1024,
      // An embedded store is opened by this process alone (its data directory is locked): every write
      // goes through this catalog and invalidates the cache, so entries need not expire.
      shared: database.kind !== 'embedded',
    },
  });
  const resources = new CatalogResources(catalog);
  const uploads = UploadStore.forDataDir(config.dataDir);
  const datasets = new DatasetService({ db, database, access, ledger, orgs, resources, secrets, uploads });
  const syncJobs = new SyncJobService({ db, access, ledger, datasets, resources });
  const grantChanges = new GrantChanges();
  const sharing = new SharingService({ db, access, ledger, orgs, catalog, users, grantChanges });
  const pipeline = new DataPipeline({
    db,
    access,
    ledger,
    catalog,
    datasets,
    pseudonymMaster: secrets.deriveKey('sharing/pseudonym'),
    grantChanges,
  });
  const stats = new StatsService({ access, orgs, catalog, sharing, ledger });
  const demo = new DemoService({
    orgs,
    users,
    apps,
    catalog,
    datasets,
    sharing,
    databaseUrl: config.databaseUrl,
  });
  // Work that runs beside the HTTP server (started by `serve` after listen, stopped on shutdown).
  const background = [
    ledger.background(),
    periodicTask('session-sweeper', 15 * 60_000, () => auth.sweepExpired()),
    periodicTask('dataset-sync', 30_000, async () => void (await syncJobs.runDue())),
    periodicTask('upload-sweeper', 60 * 60_000, async () => {
      await uploads.sweep(config.uploadTtlHours * 3_600_000);
    }),
    // Share-request deadlines: reminders to approvers, overdue steps escalated to the data bureau.
    periodicTask('sharing-deadlines', 5 * 60_000, async () => {
      await sharing.sweepDeadlines(SYSTEM);
    }),
  ];
  return {
    database,
    config,
    access,
    ledger,
    orgs,
    users,
    apps,
    auth,
    oidc,
    catalog,
    datasets,
    syncJobs,
    sharing,
    pipeline,
    stats,
    demo,
    background,
  };
}

export type Services = ReturnType<typeof createServices>;
