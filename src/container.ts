import { CatalogService } from './catalog/catalog.service.js';
import { DatasetService } from './datasets/dataset.service.js';
import { CatalogResources } from './datasets/catalog-resources.js';
import { UploadStore } from './datasets/uploads.js';
import { DemoService } from './demo/demo.service.js';
import { Access } from './identity/access.js';
import { AppService } from './identity/app.service.js';
import { AuthService, type CachedKey } from './identity/auth.service.js';
import { KeyCache } from './identity/key-cache.js';
import { OidcService } from './identity/oidc.service.js';
import { OrgService } from './identity/org.service.js';
import { ownershipRepository } from './identity/ownership.repository.js';
import { UserService } from './identity/user.service.js';
import { LedgerService } from './ledger/ledger.service.js';
import { ledgerOptionsFromEnv } from './ledger/options.js';
import { periodicTask } from './platform/background.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { SecretBox } from './platform/secrets.js';
import { DataPipeline } from './sharing/pipeline.js';
import { SharingService } from './sharing/sharing.service.js';

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
  });
  const keyCache = new KeyCache<CachedKey>();
  const orgs = new OrgService({ db, access, ledger });
  const users = new UserService({ db, access, ledger });
  const apps = new AppService({ db, access, ledger, keyCache: keyCache as KeyCache<unknown> });
  const auth = new AuthService({ db, ledger, config, keyCache });
  const oidc = config.oidc ? new OidcService({ db, auth, config: config.oidc }) : undefined;
  const catalog = new CatalogService({ db, access, ledger, orgs, baseUrl: config.publicUrl ?? '' });
  const resources = new CatalogResources(catalog);
  const uploads = UploadStore.forDataDir(config.dataDir);
  const datasets = new DatasetService({ db, database, access, ledger, orgs, resources, secrets, uploads });
  const sharing = new SharingService({ db, access, ledger, orgs, catalog });
  const pipeline = new DataPipeline({
    db,
    access,
    ledger,
    catalog,
    datasets,
    pseudonymMaster: secrets.deriveKey('sharing/pseudonym'),
  });
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
    sharing,
    pipeline,
    demo,
    background,
  };
}

export type Services = ReturnType<typeof createServices>;
