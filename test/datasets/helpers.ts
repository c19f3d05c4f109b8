import { fileURLToPath } from 'node:url';
import { DatasetService } from '../../src/datasets/dataset.service.js';
import { SecretBox } from '../../src/platform/secrets.js';
import type { TestContext } from '../support/app.js';
import { MapResourceCatalog } from '../support/resource-catalog.js';

/** A fixture file under test/fixtures (tests run from dist/test/…). */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));

/** A DatasetService over the test context's store with an in-memory resource catalog. */
export function datasetService(ctx: TestContext): { datasets: DatasetService; catalog: MapResourceCatalog } {
  const catalog = new MapResourceCatalog();
  const s = ctx.services;
  const datasets = new DatasetService({
    db: s.database.db,
    database: s.database,
    access: s.access,
    ledger: s.ledger,
    orgs: s.orgs,
    resources: catalog,
    secrets: SecretBox.fromKeyMaterial('test-key'),
  });
  return { datasets, catalog };
}
