import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { loadConfig } from '../../src/platform/config.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

test('regional code rules and the search cache lifetime come from the environment', () => {
  const c = loadConfig({
    GOVHUB_CATALOG_CODE_WIDTHS: '1, 2, 4',
    GOVHUB_CATALOG_SEQ_WIDTH: '8',
    GOVHUB_SEARCH_CACHE_MS: '0',
  });
  assert.deepEqual(c.catalog, { codeWidths: [1, 2, 4], seqWidth: 8, searchCacheMs: 0 });
  assert.deepEqual(loadConfig({}).catalog, { codeWidths: [1, 2, 3], seqWidth: 6, searchCacheMs: 30_000 });
  for (const bad of ['1,2', 'a,b,c', '1,0,3']) {
    assert.throws(
      () => loadConfig({ GOVHUB_CATALOG_CODE_WIDTHS: bad }),
      (e: unknown) => e instanceof AppError && e.code === 'CONFIG_INVALID',
    );
  }
});

// The rules are storage-independent; one store is enough (PostgreSQL when available).
const kind = storageKinds().at(-1)!;
describe(`a region whose 目 is four digits and 后段码 eight, on ${kind}`, () => {
  let ctx: TestContext;
  let org: { id: string };
  before(async () => {
    ctx = await createTestContext(kind, {
      catalog: { codeWidths: [1, 2, 4], seqWidth: 8, searchCacheMs: 0 },
    });
    org = await ctx.newOrg('department');
  });
  after(() => ctx.close());

  const resource = (catalog: string) => ({
    name: `人口基础信息${catalog}`,
    providerOrgId: org.id,
    classification: { category: '1', item: '01', catalog },
    abstract: '本市户籍人口基础信息',
    format: { category: 'database', type: 'dm' },
    items: [{ name: '姓名', dataType: 'C', length: 50 }],
    shareType: 'unconditional',
    openType: 'none',
    updateCycle: 'daily',
  });

  test('codes follow the configured widths; the default widths are refused', async () => {
    const r = await ctx.services.catalog.createResource(SYSTEM, resource('0001') as never);
    assert.match(r.code, /^1010001\/\d{8}$/);
    await assert.rejects(
      ctx.services.catalog.createResource(SYSTEM, resource('001') as never),
      (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.ok(
          (e.details as Array<{ field: string; reason: string }>).some(
            (d) => d.field === 'classification.catalog' && d.reason === 'width',
          ),
          JSON.stringify(e.details),
        );
        return true;
      },
    );
  });
});
