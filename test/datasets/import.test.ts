import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DatasetService } from '../../src/datasets/dataset.service.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import type { MapResourceCatalog } from '../support/resource-catalog.js';
import { datasetService, fixture } from './helpers.js';

const expectedBad = JSON.parse(readFileSync(fixture('enterprises-gbk.bad-rows.json'), 'utf8')) as Array<{
  row: number;
  column: string;
}>;
const tmp = mkdtempSync(path.join(tmpdir(), 'govhub-import-'));

for (const kind of storageKinds()) {
  describe(`file import on ${kind}`, () => {
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

    test('the GBK enterprise register: inferred items, exactly the bad rows reported, reject keeps nothing', async () => {
      const report = await datasets.importFile(SYSTEM, {
        file: fixture('enterprises-gbk.csv'),
        newResource: { name: '企业登记信息', provider: org.code },
        onError: 'reject',
      });
      assert.equal(report.encoding, 'gbk');
      assert.equal(report.status, 'rejected');
      assert.equal(report.rowsRead, 2000);
      assert.equal(report.rowsLoaded, 0);
      assert.equal(report.rowsRejected, expectedBad.length);
      assert.deepEqual(
        report.errors.map((e) => ({ row: e.row, column: e.column })),
        expectedBad.map((e) => ({ row: e.row, column: e.column })),
      );
      const resource = await catalog.getResource(SYSTEM, report.resourceId);
      const item = (n: string) => resource.items.find((i) => i.name === n);
      assert.equal(item('统一社会信用代码')?.piiKind, 'uscc');
      assert.equal(item('注册资本（万元）')?.dataType, 'N');
      assert.equal(item('成立日期')?.dataType, 'D');
      assert.equal(item('法定代表人')?.piiKind, 'name');
      assert.equal(item('联系电话')?.piiKind, 'mobile');
      assert.equal(item('住所')?.piiKind, 'address');
      assert.equal(item('企业名称')?.level, 'core');
      assert.equal(await datasets.count(SYSTEM, report.datasetId, undefined), 0);

      // quarantine: the good rows load, the bad ones are kept aside with their errors.
      const q = await datasets.importFile(SYSTEM, {
        file: fixture('enterprises-gbk.csv'),
        resource: report.resourceCode,
        onError: 'quarantine',
      });
      assert.equal(q.status, 'loaded');
      assert.equal(q.rowsLoaded, 2000 - expectedBad.length);
      assert.equal(await datasets.count(SYSTEM, q.datasetId, undefined), 2000 - expectedBad.length);
      const aside = await datasets.quarantine(SYSTEM, q.datasetId);
      assert.deepEqual(
        aside.map((a) => a.row),
        expectedBad.map((e) => e.row),
      );
      assert.equal(aside[0]?.errors[0]?.code, 'uscc.check');
      const rows = await datasets.read(SYSTEM, q.datasetId, {
        items: ['企业名称', '注册资本（万元）'],
        filter: { op: 'gt', item: '注册资本（万元）', value: 40000 },
        order: [{ item: '注册资本（万元）', desc: true }],
        limit: 5,
      });
      assert.equal(rows.length, 5);
      assert.ok(rows.every((r) => Number(r['注册资本（万元）']) > 40000));
      assert.ok(Number(rows[0]?.['注册资本（万元）']) >= Number(rows[4]?.['注册资本（万元）']));
    });

    test('the population sheet: header under the merged title, footer skipped, Excel dates, optional phones', async () => {
      const report = await datasets.importFile(SYSTEM, {
        file: fixture('population.xlsx'),
        newResource: { name: '人口基础信息', provider: org.id },
      });
      assert.equal(report.errors.length, 0, JSON.stringify(report.errors.slice(0, 3)));
      assert.equal(report.rowsRead, 1000);
      assert.equal(report.rowsLoaded, 1000);
      const resource = await catalog.getResource(SYSTEM, report.resourceId);
      const item = (n: string) => resource.items.find((i) => i.name === n);
      assert.equal(item('公民身份号码')?.piiKind, 'resident_id');
      assert.equal(item('出生日期')?.dataType, 'D');
      assert.equal(item('联系电话')?.level, 'important');
      assert.equal(item('是否独居老人')?.dataType, 'L');
      const [first] = await datasets.read(SYSTEM, report.datasetId, { limit: 1 });
      // birth date agrees with the ID number
      const id = String(first?.['公民身份号码']);
      const born = first?.['出生日期'];
      const bornText = born instanceof Date ? born.toISOString().slice(0, 10) : String(born);
      assert.equal(bornText.replaceAll('-', ''), id.slice(6, 14));
    });

    test('append, upsert by key and replace make versions; a rejected load leaves the data intact', async () => {
      const file = path.join(tmp, `${kind}-people.csv`);
      writeFileSync(file, '\uFEFF编号,姓名,得分\n1,张三,10\n2,李四,20\n');
      const first = await datasets.importFile(SYSTEM, {
        file,
        newResource: { name: '得分', provider: org.code },
      });
      assert.equal(first.encoding, 'utf-8');
      assert.equal(first.version, 1);
      writeFileSync(file, '编号,姓名,得分\n2,李四,25\n3,王五,30\n');
      const up = await datasets.importFile(SYSTEM, {
        file,
        resource: first.resourceId,
        mode: 'upsert',
        keys: ['编号'],
      });
      assert.equal(up.version, 2);
      const rows = await datasets.read(SYSTEM, first.datasetId, {
        limit: 10,
        order: [{ item: '编号', desc: false }],
      });
      assert.deepEqual(
        rows.map((r) => [Number(r['编号']), r['姓名'], Number(r['得分'])]),
        [
          [1, '张三', 10],
          [2, '李四', 25],
          [3, '王五', 30],
        ],
      );
      const feed = await datasets.changes(SYSTEM, first.datasetId, 1);
      assert.deepEqual(
        feed.changes.map((c) => [c.op, Number(c.key['编号'])]),
        [
          ['update', 2],
          ['insert', 3],
        ],
      );
      assert.equal(feed.cursor, 2);
      assert.deepEqual((await datasets.changes(SYSTEM, first.datasetId, 2)).changes, []);
      writeFileSync(file, '编号,姓名,得分\n4,赵六,x\n');
      const bad = await datasets.importFile(SYSTEM, { file, resource: first.resourceId, mode: 'append' });
      assert.equal(bad.status, 'rejected');
      assert.deepEqual(bad.errors, [{ row: 2, column: '得分', code: 'notInteger' }]);
      assert.equal(await datasets.count(SYSTEM, first.datasetId, undefined), 3);
      writeFileSync(file, '编号,姓名,得分\n4,赵六,40\n');
      await datasets.importFile(SYSTEM, { file, resource: first.resourceId, mode: 'append' });
      assert.equal(await datasets.count(SYSTEM, first.datasetId, undefined), 4);
      const versions = await datasets.versions(SYSTEM, first.datasetId);
      assert.deepEqual(
        versions.map((v) => v.version),
        [3, 2, 1],
      );
      // fill-in rows are validated the same way, all or nothing
      await assert.rejects(
        datasets.submitRows(SYSTEM, first.datasetId, [{ 编号: 5, 姓名: '孙七', 得分: 'abc' }]),
        (e: unknown) => e instanceof AppError && e.code === 'ROWS_INVALID',
      );
      await datasets.submitRows(SYSTEM, first.datasetId, [{ 编号: 5, 姓名: '孙七', 得分: 50 }]);
      assert.equal(
        await datasets.count(SYSTEM, first.datasetId, { op: 'eq', item: '姓名', value: '孙七' }),
        1,
      );
    });

    test('JSON and NDJSON files import with their row numbers', async () => {
      const nd = path.join(tmp, `${kind}.ndjson`);
      const lines = Array.from({ length: 60 }, (_, i) =>
        JSON.stringify({ 名称: `n${i}`, 数量: i === 1 ? 'two' : i }),
      );
      lines.splice(1, 0, ''); // a blank line: the bad record is on line 3
      writeFileSync(nd, `${lines.join('\n')}\n`);
      const r = await datasets.importFile(SYSTEM, {
        file: nd,
        newResource: { name: 'nd', provider: org.code },
        onError: 'quarantine',
      });
      assert.deepEqual(r.errors, [{ row: 3, column: '数量', code: 'notInteger' }]);
      const js = path.join(tmp, `${kind}.json`);
      writeFileSync(js, JSON.stringify([{ 名称: 'x', 数量: 3 }]));
      const j = await datasets.importFile(SYSTEM, { file: js, resource: r.resourceId, mode: 'append' });
      assert.equal(j.rowsLoaded, 1);
      assert.equal(await datasets.count(SYSTEM, r.datasetId, undefined), 60);
    });
  });
}
