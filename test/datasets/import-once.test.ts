import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { DatasetService } from '../../src/datasets/dataset.service.js';
import { idCheckChar } from '../../src/datasets/identifiers.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import type { MapResourceCatalog } from '../support/resource-catalog.js';
import { datasetService } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'govhub-import-once-'));

function residentId(i: number): string {
  const body = `510104${1950 + (i % 60)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
  return body + idCheckChar(body);
}

/**
 * `import --new-resource` proposes items from the first rows and validates the whole file in the same
 * pass; the items must still be what the whole file says, whether or not the first rows agree with it.
 */
for (const kind of storageKinds()) {
  describe(`import --new-resource in one pass on ${kind}`, () => {
    let ctx: TestContext;
    let datasets: DatasetService;
    let catalog: MapResourceCatalog;
    let org: { id: string; code: string };
    before(async () => {
      ctx = await createTestContext(kind);
      ({ datasets, catalog } = datasetService(ctx));
      org = await ctx.newOrg('department');
    });
    after(async () => {
      await datasets.close();
      await ctx.close();
    });

    const scratchTables = async () => {
      const r = await sql<{
        n: string | number;
      }>`select count(*) as n from pg_tables where tablename like 'dsl\\_%'`.execute(
        ctx.services.database.db,
      );
      return Number(r.rows[0]?.n);
    };

    test('first rows like the rest: loaded, items from the whole file, longest text as the length', async () => {
      const file = path.join(tmp, `same-${kind}.csv`);
      const lines = ['公民身份号码,姓名,备注'];
      for (let i = 0; i < 3000; i++) {
        lines.push(`${residentId(i)},王${'伟芳娜'[i % 3]},${i === 2999 ? '最后一行的备注比较长一些' : '无'}`);
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      const report = await datasets.importFile(SYSTEM, {
        file,
        newResource: { name: `同一 ${kind}`, provider: org.code },
        onError: 'reject',
      });
      assert.equal(report.status, 'loaded');
      assert.equal(report.rowsLoaded, 3000);
      assert.equal(await datasets.count(SYSTEM, report.datasetId, undefined), 3000);
      const resource = await catalog.getResource(SYSTEM, report.resourceId);
      const item = (n: string) => resource.items.find((i) => i.name === n);
      assert.equal(item('公民身份号码')?.piiKind, 'resident_id');
      assert.equal(item('姓名')?.piiKind, 'name');
      assert.equal(item('备注')?.length, '最后一行的备注比较长一些'.length);
      assert.equal(await scratchTables(), 0);
    });

    test('first rows that mislead (integers, text later): the whole file decides and every row loads', async () => {
      const file = path.join(tmp, `later-${kind}.csv`);
      const lines = ['数量,名称'];
      for (let i = 0; i < 40_000; i++) {
        lines.push(`${i < 38_000 ? String(i % 997) : `约${i}件`},物品${i}`);
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      const report = await datasets.importFile(SYSTEM, {
        file,
        newResource: { name: `误导 ${kind}`, provider: org.code },
        onError: 'reject',
      });
      const resource = await catalog.getResource(SYSTEM, report.resourceId);
      assert.equal(resource.items.find((i) => i.name === '数量')?.dataType, 'C');
      assert.equal(report.status, 'loaded');
      assert.equal(report.rowsRejected, 0);
      assert.equal(report.rowsLoaded, 40_000);
      assert.equal(await datasets.count(SYSTEM, report.datasetId, undefined), 40_000);
      assert.equal(await scratchTables(), 0);
    });

    test('bad values found in the one pass are reported by row and column; reject keeps nothing', async () => {
      const file = path.join(tmp, `bad-${kind}.csv`);
      const lines = ['公民身份号码,积分'];
      for (let i = 0; i < 2000; i++) {
        // Row 1001 of the file (line 1002) has a wrong check character.
        const id = residentId(i);
        lines.push(`${i === 1000 ? `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}` : id},${i}`);
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      const report = await datasets.importFile(SYSTEM, {
        file,
        newResource: { name: `坏值 ${kind}`, provider: org.code },
        onError: 'reject',
      });
      assert.equal(report.status, 'rejected');
      assert.deepEqual(
        report.errors.map((e) => ({ row: e.row, column: e.column, code: e.code })),
        [{ row: 1002, column: '公民身份号码', code: 'residentId.check' }],
      );
      assert.equal(await datasets.count(SYSTEM, report.datasetId, undefined), 0);
      assert.equal(await scratchTables(), 0);
      const q = await datasets.importFile(SYSTEM, {
        file,
        newResource: { name: `坏值隔离 ${kind}`, provider: org.code },
        onError: 'quarantine',
      });
      assert.equal(q.status, 'loaded');
      assert.equal(q.rowsLoaded, 1999);
      const set = await datasets.quarantine(SYSTEM, q.datasetId);
      assert.deepEqual(
        set.map((r) => r.row),
        [1002],
      );
    });
  });
}
