import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatasetService } from '../../src/datasets/dataset.service.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { PG_ADMIN_URL } from '../support/db.js';
import type { MapResourceCatalog } from '../support/resource-catalog.js';
import { datasetService } from './helpers.js';

const scratch = `govhub_src_${randomBytes(4).toString('hex')}`;
const myTable = `govhub_people_${randomBytes(4).toString('hex')}`;
const PEOPLE = [
  [1, '张三', '2001-02-03', 10.5],
  [2, '李四', null, 20],
  [3, '王五', '1999-12-31', 30],
  [4, '张小明', '2010-01-01', 40],
] as const;

describe('linked datasets (PostgreSQL and MariaDB sources)', () => {
  let ctx: TestContext;
  let datasets: DatasetService;
  let catalog: MapResourceCatalog;
  let org: { id: string; code: string };
  const pgUrl = new URL(PG_ADMIN_URL);
  before(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${scratch}`);
    await admin.end();
    const src = new pg.Client({ connectionString: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${scratch}`) });
    await src.connect();
    await src.query('create table people (id int primary key, name text not null, born date, score numeric)');
    for (const p of PEOPLE) {
      await src.query('insert into people values ($1, $2, $3, $4)', [...p]);
    }
    await src.end();
    const my = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
    });
    await my.query(
      `create table ${myTable} (id int primary key, name varchar(50) not null, born date, score decimal(10,2))`,
    );
    await my.query(`insert into ${myTable} values ?`, [PEOPLE.map((p) => [...p])]);
    await my.end();
    ctx = await createTestContext('embedded');
    ({ datasets, catalog } = datasetService(ctx));
    org = await ctx.newOrg('department');
  });
  after(async () => {
    await datasets.close();
    await ctx.close();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${scratch} with (force)`);
    await admin.end();
    const my = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
    });
    await my.query(`drop table if exists ${myTable}`);
    await my.end();
  });

  const linked: Record<string, string> = {};
  for (const kind of ['postgres', 'mysql'] as const) {
    test(`${kind}: introspection proposes items; scans push down projection, filter, order and limit`, async () => {
      const source = await datasets.createSource(SYSTEM, {
        name: `src-${kind}-${scratch}`,
        org: org.code,
        kind,
        host: kind === 'postgres' ? pgUrl.hostname : '127.0.0.1',
        port: kind === 'postgres' ? Number(pgUrl.port || 5432) : 3306,
        database: kind === 'postgres' ? scratch : 'test',
        username: kind === 'postgres' ? decodeURIComponent(pgUrl.username) : 'root',
        password: kind === 'postgres' ? decodeURIComponent(pgUrl.password) || 'unused' : undefined,
      });
      const table = kind === 'postgres' ? 'people' : myTable;
      const intro = await datasets.introspect(SYSTEM, source.id, table);
      assert.deepEqual(
        intro.items?.map((i) => [i.name, i.dataType, i.level, i.piiKind]),
        [
          // Types from the SQL types; PII kinds and levels from a sample of the values, as for a file.
          ['id', 'I', 'core', null],
          ['name', 'C', 'core', 'name'],
          ['born', 'D', 'general', null],
          ['score', 'N', 'core', null],
        ],
      );
      const ds = await datasets.link(SYSTEM, { source: source.id, table, newResource: `people-${kind}` });
      linked[kind] = ds.id;
      assert.equal((await catalog.getResource(SYSTEM, ds.resourceId)).items.length, 4);
      const rows = await datasets.read(SYSTEM, ds.id, {
        items: ['name', 'id'],
        filter: {
          op: 'and',
          args: [
            { op: 'prefix', item: 'name', value: '张' },
            { op: 'not', arg: { op: 'isNull', item: 'born' } },
          ],
        },
        order: [{ item: 'id', desc: true }],
        limit: 10,
      });
      assert.deepEqual(rows, [
        { name: '张小明', id: 4 },
        { name: '张三', id: 1 },
      ]);
      assert.equal(await datasets.count(SYSTEM, ds.id, { op: 'gte', item: 'score', value: '20' }), 3);
      const page = await datasets.read(SYSTEM, ds.id, {
        items: ['id'],
        order: [{ item: 'id', desc: false }],
        limit: 2,
        offset: 1,
      });
      assert.deepEqual(
        page.map((r) => Number(r.id)),
        [2, 3],
      );
    });
  }

  test('sync: a full copy, then an incremental one, from a linked source into a hosted dataset', async () => {
    const target = await catalog.createResource(SYSTEM, {
      name: '人员（前置库）',
      providerOrgId: org.id,
      items: [
        { name: 'id', dataType: 'I', level: 'core', piiKind: null },
        { name: 'name', dataType: 'C', level: 'core', piiKind: null },
        { name: 'born', dataType: 'D', level: 'general', piiKind: null },
        { name: 'score', dataType: 'N', level: 'general', piiKind: null },
      ],
    });
    const full = await datasets.sync(SYSTEM, {
      from: linked.mysql as string,
      resource: target.id,
      mode: 'full',
    });
    assert.equal(full.status, 'loaded');
    assert.equal(full.rowsLoaded, 4);
    const my = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
    });
    await my.query(`insert into ${myTable} values (5, '赵五', '2020-05-05', 50)`);
    await my.end();
    const inc = await datasets.sync(SYSTEM, {
      from: linked.mysql as string,
      resource: target.id,
      mode: 'incremental',
      keys: ['id'],
      since: 'id',
    });
    // Rows at the cursor value are read again (here id 4, the highest hosted before this run).
    assert.equal(inc.rowsRead, 2);
    assert.equal(await datasets.count(SYSTEM, full.datasetId, undefined), 5);
    const born = await datasets.read(SYSTEM, full.datasetId, {
      items: ['born'],
      filter: { op: 'eq', item: 'id', value: 5 },
      limit: 1,
    });
    const b = born[0]?.born;
    assert.equal(b instanceof Date ? b.toISOString().slice(0, 10) : String(b), '2020-05-05');
    // A row changed after that run but carrying the cursor's own value (as a row updated in the same
    // second as the last sync would) is picked up by the next run, not skipped.
    const my2 = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
    });
    await my2.query(`update ${myTable} set name = '赵六' where id = 5`);
    await my2.end();
    const again = await datasets.sync(SYSTEM, {
      from: linked.mysql as string,
      resource: target.id,
      mode: 'incremental',
      keys: ['id'],
      since: 'id',
    });
    assert.equal(again.status, 'loaded');
    const five = await datasets.read(SYSTEM, full.datasetId, {
      items: ['name'],
      filter: { op: 'eq', item: 'id', value: 5 },
      limit: 1,
    });
    assert.deepEqual(five, [{ name: '赵六' }]);
    assert.equal(await datasets.count(SYSTEM, full.datasetId, undefined), 5);
    const runs = await datasets.loads(SYSTEM, full.datasetId);
    assert.deepEqual(
      runs.map((r) => [r.source, r.mode, r.rowsLoaded]),
      [
        [`sync:${linked.mysql}`, 'upsert', 1],
        [`sync:${linked.mysql}`, 'upsert', 2],
        [`sync:${linked.mysql}`, 'replace', 4],
      ],
    );
  });

  test('a source that is down gives a clear error fast and affects no other dataset', async () => {
    const down = await datasets.createSource(SYSTEM, {
      name: `down-${scratch}`,
      org: org.code,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 1, // nothing listens here
      database: 'x',
      username: 'x',
      password: 'secret',
    });
    const good = (await datasets.listSources(SYSTEM)).find((s) => s.name === `src-postgres-${scratch}`);
    assert.ok(good);
    await assert.rejects(
      datasets.introspect(SYSTEM, down.id, 'people'),
      (e: unknown) => e instanceof AppError && e.code === 'SOURCE_UNAVAILABLE' && e.status === 503,
    );
    const ok = await datasets.introspect(SYSTEM, good.id);
    assert.ok(ok.tables?.includes('public.people'));
  });
  test('advisor: reads are counted where served; a busy, widely used link is advised to be hosted', async () => {
    const pgId = linked.postgres as string;
    const myId = linked.mysql as string;
    const before = (await datasets.advice(SYSTEM)).find((a) => a.datasetId === myId);
    assert.ok(before);
    // read() counts itself: one read by the operator, with the bytes it served.
    const rows = await datasets.read(SYSTEM, myId, { limit: 10 });
    const after1 = (await datasets.advice(SYSTEM, { id: myId }))[0];
    assert.equal(after1?.reads, before.reads + 1);
    assert.equal(after1?.bytes, before.bytes + Buffer.byteLength(JSON.stringify(rows)));
    assert.equal(after1?.recommendation, 'keep_linked');
    assert.match(after1?.reason.zh ?? '', /保持挂接/);
    assert.match(after1?.reason.en ?? '', /keep it linked/);
    // The sharing pipeline reports what it served: 8 consumers, 400 reads each within the window.
    for (let c = 0; c < 8; c++) {
      for (let k = 0; k < 400; k++) {
        await datasets.recordAccess(pgId, `app-${c}`, { rows: 10, bytes: 1000 });
      }
    }
    const busy = (await datasets.advice(SYSTEM, { id: pgId }))[0];
    assert.ok(busy);
    assert.equal(busy.consumers >= 8, true);
    assert.equal(busy.reads >= 3200, true);
    assert.equal(busy.recommendation, 'host');
    assert.match(busy.reason.zh, /建议汇聚存储/);
    assert.match(busy.reason.en, /host it/);
    const all = await datasets.advice(SYSTEM);
    assert.deepEqual(
      all
        .filter((a) => a.kind === 'linked')
        .map((a) => a.datasetId)
        .sort(),
      [pgId, myId].sort(),
    );
  });
});
