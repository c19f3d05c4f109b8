import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DatasetService } from '../../src/datasets/dataset.service.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import type { MapResourceCatalog } from '../support/resource-catalog.js';
import { datasetService } from './helpers.js';

/**
 * Appending a file whose columns differ from the first load's (another order, more of the resource's items)
 * keeps the rows already hosted intact: each value stays under its item.
 */
for (const kind of storageKinds()) {
  describe(`append with different columns on ${kind}`, () => {
    let ctx: TestContext;
    let datasets: DatasetService;
    let catalog: MapResourceCatalog;
    const dir = mkdtempSync(path.join(tmpdir(), 'govhub-append-'));
    before(async () => {
      ctx = await createTestContext(kind);
      ({ datasets, catalog } = datasetService(ctx));
    });
    after(async () => {
      await datasets.close();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the first load’s rows keep their values after an append with other columns', async () => {
      const org = await ctx.newOrg('department');
      const resource = await catalog.createResource(SYSTEM, {
        name: '人口',
        providerOrgId: org.id,
        items: [
          { name: '姓名', dataType: 'C', level: 'important', piiKind: 'name' },
          { name: '性别', dataType: 'C', level: 'general', piiKind: null },
          { name: '民族', dataType: 'C', level: 'general', piiKind: null },
          { name: '电话', dataType: 'C', level: 'important', piiKind: 'mobile' },
        ],
      });
      const first = path.join(dir, 'a.csv');
      writeFileSync(first, '姓名,性别,民族\n张三,男,汉族\n李四,女,回族\n');
      await datasets.importFile(SYSTEM, { file: first, resource: resource.id, onError: 'quarantine' });
      const second = path.join(dir, 'b.csv');
      writeFileSync(second, '电话,民族,性别,姓名\n13800138000,藏族,女,王五\n');
      const report = await datasets.importFile(SYSTEM, {
        file: second,
        resource: resource.id,
        mode: 'append',
      });
      assert.equal(report.rowsLoaded, 1);
      const rows = await datasets.read(SYSTEM, report.datasetId, {
        items: ['姓名', '性别', '民族', '电话'],
        order: [{ item: '姓名', desc: false }],
        limit: 10,
      });
      assert.deepEqual(
        rows.map((r) => [r['姓名'], r['性别'], r['民族'], r['电话']]),
        [
          ['张三', '男', '汉族', null],
          ['李四', '女', '回族', null],
          ['王五', '女', '藏族', '13800138000'],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    });
  });
}

describe('a file that matches none of the items', () => {
  test('is refused with every missing item named, and nothing is stored', async () => {
    const ctx = await createTestContext('embedded');
    const { datasets, catalog } = datasetService(ctx);
    const dir = mkdtempSync(path.join(tmpdir(), 'govhub-nomatch-'));
    try {
      const org = await ctx.newOrg('department');
      const resource = await catalog.createResource(SYSTEM, {
        name: '人口',
        providerOrgId: org.id,
        items: [
          { name: '姓名', dataType: 'C', level: 'important', piiKind: 'name' },
          { name: '性别', dataType: 'C', level: 'general', piiKind: null },
        ],
      });
      const file = path.join(dir, 'other.csv');
      writeFileSync(file, '企业名称,状态\n某公司,在业\n');
      await assert.rejects(
        datasets.importFile(SYSTEM, { file, resource: resource.id }),
        (e: unknown) =>
          e instanceof AppError &&
          e.code === 'FILE_COLUMNS_MISSING' &&
          JSON.stringify(e.details).includes('姓名') &&
          JSON.stringify(e.details).includes('性别'),
      );
      assert.deepEqual(
        await datasets.forResource(SYSTEM, resource.id).then((l) => l.map((d) => d.currentVersion)),
        [0],
      );
    } finally {
      await datasets.close();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
