import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CatalogResources } from '../../src/datasets/catalog-resources.js';
import { SyncJobService } from '../../src/datasets/sync-jobs.service.js';
import { UploadStore } from '../../src/datasets/uploads.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { PG_ADMIN_URL, storageKinds } from '../support/db.js';

const MINUTE = 60_000;
const isCode = (code: string) => (e: unknown) => e instanceof AppError && e.code === code;

/**
 * Scheduled syncs from a linked PostgreSQL table into the hosted copy of its resource: validation, the
 * scheduler's clock (a fake one), one run per occurrence even with two schedulers on one database, pause and
 * manual runs, incremental runs picking up new rows, and a failing source recorded without stopping the others.
 */
for (const kind of storageKinds()) {
  describe(`scheduled sync jobs on ${kind}`, () => {
    const table = `govhub_sync_${randomBytes(4).toString('hex')}`;
    const broken = `${table}_gone`;
    let ctx: TestContext;
    let clock = new Date('2026-03-02T01:00:00Z');
    const scheduler = () =>
      new SyncJobService({
        db: ctx.services.database.db,
        access: ctx.services.access,
        ledger: ctx.services.ledger,
        datasets: ctx.services.datasets,
        resources: new CatalogResources(ctx.services.catalog),
        now: () => clock,
      });
    let jobs: SyncJobService;
    let org: { id: string; code: string };
    let linked: { id: string; resourceId: string };
    let brokenLinked: { id: string; resourceId: string };
    const source = async (sql: string) => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };

    before(async () => {
      await source(`create table ${table} (id int primary key, name text not null, updated int not null)`);
      await source(`insert into ${table} values (1, '张三', 1), (2, '李四', 1), (3, '王五', 1)`);
      await source(`create table ${broken} (id int primary key, name text)`);
      ctx = await createTestContext(kind);
      jobs = scheduler();
      org = await ctx.newOrg('department');
      const url = new URL(PG_ADMIN_URL);
      const src = await ctx.services.datasets.createSource(SYSTEM, {
        name: `sync-${table}`,
        org: org.code,
        kind: 'postgres',
        host: url.hostname,
        port: Number(url.port || 5432),
        database: url.pathname.slice(1),
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password) || 'unused',
      });
      linked = await ctx.services.datasets.link(SYSTEM, {
        source: src.id,
        table,
        newResource: `人员${table}`,
      });
      brokenLinked = await ctx.services.datasets.link(SYSTEM, {
        source: src.id,
        table: broken,
        newResource: `失效${table}`,
      });
    });
    after(async () => {
      await ctx.close();
      await source(`drop table if exists ${table}`);
      await source(`drop table if exists ${broken}`);
    });

    test('bad jobs are refused field by field, and only the provider’s staff may schedule', async () => {
      const base = { from: linked.id, resource: linked.resourceId, mode: 'full' as const, everyMinutes: 60 };
      await assert.rejects(
        jobs.create(SYSTEM, { ...base, everyMinutes: 0 }),
        isCode('SYNC_INTERVAL_INVALID'),
      );
      await assert.rejects(
        jobs.create(SYSTEM, { ...base, mode: 'incremental', keys: ['id'] }),
        (e: unknown) =>
          isCode('SYNC_INCREMENTAL_INVALID')(e) &&
          JSON.stringify((e as AppError).details).includes('"since"'),
      );
      await assert.rejects(
        jobs.create(SYSTEM, { ...base, mode: 'incremental', keys: ['nope'], since: 'updated' }),
        (e: unknown) =>
          isCode('SYNC_INCREMENTAL_INVALID')(e) && JSON.stringify((e as AppError).details).includes('"keys"'),
      );
      const other = await ctx.newOrg('department');
      const stranger = await ctx.newUser(other.id, ['catalog_editor']);
      const actor = {
        kind: 'user' as const,
        id: stranger.id,
        orgId: other.id,
        roles: ['catalog_editor' as const],
        username: stranger.username,
        via: 'bearer' as const,
      };
      await assert.rejects(jobs.create(actor, base), isCode('FORBIDDEN'));
      assert.deepEqual(await jobs.list(actor), []);
    });

    test('a due job runs once per occurrence, even with two schedulers; then waits for its interval', async () => {
      const job = await jobs.create(SYSTEM, {
        from: linked.id,
        resource: linked.resourceId,
        mode: 'incremental',
        keys: ['id'],
        since: 'updated',
        everyMinutes: 60,
      });
      assert.equal(job.nextRunAt, clock.toISOString());
      const [a, b] = await Promise.all([jobs.runDue(), scheduler().runDue()]);
      const runs = [...a, ...b].filter((r) => r.rowsRead > 0 || r.status === 'failed');
      assert.equal(runs.length, 1, JSON.stringify([...a, ...b]));
      assert.equal(runs[0]?.status, 'ok');
      assert.equal(runs[0]?.rowsLoaded, 3);
      // Not due again until an hour later.
      clock = new Date(clock.getTime() + 30 * MINUTE);
      assert.deepEqual(
        (await jobs.runDue()).filter((r) => r.rowsRead > 0),
        [],
      );
      // A changed and a new row at the source; the next occurrence copies those, and reads again the rows
      // stamped with the previous cursor value (updated = 1), so a change made in the same tick is not lost.
      // With that coarse a cursor, that is every row here.
      await source(`update ${table} set name = '张三丰', updated = 2 where id = 1`);
      await source(`insert into ${table} values (4, '赵六', 2)`);
      clock = new Date(clock.getTime() + 31 * MINUTE);
      const second = (await jobs.runDue()).find((r) => r.rowsRead > 0);
      assert.equal(second?.rowsLoaded, 4);
      const hosted = (await ctx.services.datasets.forResource(SYSTEM, linked.resourceId)).find(
        (d) => d.kind === 'hosted',
      );
      assert.ok(hosted);
      assert.equal(await ctx.services.datasets.count(SYSTEM, hosted.id, undefined), 4);
      const names = await ctx.services.datasets.read(SYSTEM, hosted.id, {
        items: ['name'],
        filter: { op: 'eq', item: 'id', value: 1 },
        limit: 1,
      });
      assert.equal(names[0]?.name, '张三丰');
      const history = await jobs.runs(SYSTEM, job.id);
      assert.deepEqual(
        history.map((r) => [r.trigger, r.status, r.rowsLoaded]),
        [
          ['schedule', 'ok', 4],
          ['schedule', 'ok', 3],
        ],
      );
      assert.equal((await jobs.get(SYSTEM, job.id)).lastRun?.id, history[0]?.id);
      assert.equal((await jobs.list(SYSTEM)).find((j) => j.id === job.id)?.lastRun?.id, history[0]?.id);
      // Paused: the schedule skips it, a manual run still works and is marked manual.
      await jobs.update(SYSTEM, job.id, { enabled: false });
      clock = new Date(clock.getTime() + 2 * 60 * MINUTE);
      assert.equal((await jobs.runDue()).length, 0);
      const manual = await jobs.runNow(SYSTEM, job.id);
      // Nothing changed: only the two rows at the cursor value (updated = 2) are read again.
      assert.deepEqual([manual.trigger, manual.status, manual.rowsRead], ['manual', 'ok', 2]);
      await jobs.remove(SYSTEM, job.id);
      await assert.rejects(jobs.get(SYSTEM, job.id), isCode('SYNC_JOB_NOT_FOUND'));
    });

    test('a failing source is recorded with its error and does not stop the other jobs', async () => {
      const bad = await jobs.create(SYSTEM, {
        from: brokenLinked.id,
        resource: brokenLinked.resourceId,
        mode: 'full',
        everyMinutes: 5,
      });
      const good = await jobs.create(SYSTEM, {
        from: linked.id,
        resource: linked.resourceId,
        mode: 'full',
        everyMinutes: 5,
      });
      await source(`drop table ${broken}`);
      const runs = await jobs.runDue();
      const byJob = new Map(
        await Promise.all([bad, good].map(async (j) => [j.id, (await jobs.runs(SYSTEM, j.id))[0]] as const)),
      );
      assert.equal(runs.length, 2);
      assert.equal(byJob.get(bad.id)?.status, 'failed');
      assert.match(byJob.get(bad.id)?.error ?? '', new RegExp(broken), 'the error names the missing table');
      assert.equal(byJob.get(good.id)?.status, 'ok');
      assert.equal(byJob.get(good.id)?.rowsLoaded, 4);
    });
  });
}

describe('abandoned uploads', () => {
  test('sessions untouched past their age are removed with their partial files; fresh ones stay', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'govhub-uploads-'));
    try {
      const store = new UploadStore(dir);
      const old = await store.create({ orgId: 'o', createdBy: null, fileName: 'a.csv', size: 10 });
      await store.write(old, 0, Buffer.from('id\n1\n'));
      const fresh = await store.create({ orgId: 'o', createdBy: null, fileName: 'b.csv', size: 10 });
      // The old session's last chunk was two days ago.
      const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
      utimesSync(store.partPath(old), twoDaysAgo, twoDaysAgo);
      const meta = path.join(dir, `${old.id}.json`);
      writeFileSync(meta, JSON.stringify({ ...old, createdAt: twoDaysAgo.toISOString() }));
      assert.equal(await store.sweep(24 * 3_600_000), 1);
      assert.equal(await store.get(old.id), undefined);
      assert.equal(existsSync(store.partPath(old)), false);
      assert.ok(await store.get(fresh.id));
      assert.equal(await store.sweep(24 * 3_600_000), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
