import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { buildProgram } from '../../src/cli/program.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { migrations } from '../../src/platform/db/migrations/index.js';
import { openTestDatabase } from '../support/db.js';

/** The `govhub` binary as an operator runs it: a real process, real stores, real exit codes. */
const BIN = path.resolve(import.meta.dirname, '../../../bin/govhub.js');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function govhub(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, GOVHUB_LANG: '', ...env },
      timeout: 180_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

function verbs(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => {
      const here = [...prefix, c.name()];
      return c.commands.length > 0 ? [here, ...verbs(c, here)] : [here];
    });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-cli-'));
const dataDir = path.join(tmp, 'data');
const env = { GOVHUB_DATA_DIR: dataDir };

describe('govhub CLI', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('--help works on every verb, in Chinese by default and in English with GOVHUB_LANG=en', async () => {
    const all = [[], ...verbs(buildProgram())];
    assert.ok(all.length >= 20, `found ${all.length} verbs`);
    const check = async (v: string[]) => {
      const zh = await govhub([...v, '--help']);
      assert.equal(zh.code, 0, `${v.join(' ')}: ${zh.stderr}`);
      assert.match(zh.stdout, /用法：/, v.join(' '));
      const en = await govhub([...v, '--help'], { GOVHUB_LANG: 'en' });
      assert.match(en.stdout, /Usage:/, v.join(' '));
    };
    for (let i = 0; i < all.length; i += 4) {
      await Promise.all(all.slice(i, i + 4).map(check));
    }
  });

  test('demo seeds the city once; lists and reports print JSON for scripts', async () => {
    const first = await govhub(['demo', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as {
      seeded: boolean;
      orgs: number;
      keys: Array<{ key: string }>;
    };
    assert.equal(report.seeded, true);
    assert.ok(report.orgs >= 14);
    assert.ok(report.keys.every((k) => k.key.startsWith('ghk_')));
    const again = JSON.parse((await govhub(['demo', '--json'], env)).stdout) as {
      seeded: boolean;
      keys: unknown[];
    };
    assert.equal(again.seeded, false);
    assert.deepEqual(again.keys, []);
    const orgs = JSON.parse((await govhub(['org', 'list', '--json'], env)).stdout) as Array<{
      code: string;
      name: string;
    }>;
    for (const dept of [
      '公安',
      '民政',
      '人力资源和社会保障',
      '市场监督管理',
      '卫生健康',
      '教育',
      '住房和城乡建设',
      '自然资源',
      '税务',
      '医疗保障',
      '交通运输',
      '统计',
    ]) {
      assert.ok(
        orgs.some((o) => o.name.includes(dept)),
        `department ${dept}`,
      );
    }
    const users = JSON.parse(
      (await govhub(['user', 'list', '--org', 'bureau', '--json'], env)).stdout,
    ) as Array<{ username: string; roles: string[] }>;
    assert.deepEqual(users.find((x) => x.username === 'admin')?.roles, ['sysadmin']);
    const migrate = JSON.parse((await govhub(['migrate', '--json'], env)).stdout) as {
      applied: string[];
      current: string;
    };
    assert.deepEqual(migrate.applied, []);
    assert.equal(migrate.current, Object.keys(migrations).at(-1));
  });

  test('user, app and key management with errors that name what was wrong', async () => {
    const created = await govhub(
      [
        'user',
        'create',
        '--username',
        'clerk1',
        '--name',
        '张三',
        '--org',
        'psb',
        '--roles',
        'catalog_editor',
        '--password',
        'Clerk@2026x',
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual((JSON.parse(created.stdout) as { roles: string[] }).roles, ['catalog_editor']);
    const sod = await govhub(['user', 'roles', 'clerk1', 'sysadmin,auditor'], env);
    assert.equal(sod.code, 1);
    assert.match(sod.stderr, /三权分立：系统管理员与审计员不能由同一人担任/, 'role names, not codes');
    const sodEn = await govhub(['user', 'roles', 'clerk1', 'sysadmin,auditor', '--json'], {
      ...env,
      GOVHUB_LANG: 'en',
    });
    assert.equal(sodEn.code, 1);
    const sodError = (JSON.parse(sodEn.stdout) as { error: { code: string; message: string } }).error;
    assert.equal(sodError.code, 'ROLES_SEPARATION_OF_DUTIES');
    assert.match(sodError.message, /the system administrator and the auditor cannot be the same person/);
    const badOrg = await govhub(
      ['user', 'create', '--username', 'x1', '--name', 'x', '--org', 'nowhere'],
      env,
    );
    assert.equal(badOrg.code, 1);
    assert.match(badOrg.stderr, /找不到组织机构：nowhere/);
    const badCode = await govhub(
      ['org', 'create', '--code', 'bad code!', '--name', 'x', '--kind', 'department', '--json'],
      env,
    );
    assert.equal(badCode.code, 1);
    assert.match(badCode.stdout, /"field": "code"/);

    const app = JSON.parse(
      (await govhub(['app', 'create', '--name', '测试应用', '--org', 'psb', '--json'], env)).stdout,
    ) as { id: string };
    const key = JSON.parse(
      (await govhub(['key', 'create', app.id, '--name', 'ci', '--days', '30', '--json'], env)).stdout,
    ) as { key: { id: string }; secret: string };
    assert.match(key.secret, /^ghk_/);
    const listed = (await govhub(['key', 'list', app.id, '--json'], env)).stdout;
    assert.ok(!listed.includes(key.secret.slice(17)), 'secrets are never listed');
    const revoked = JSON.parse(
      (await govhub(['key', 'revoke', app.id, key.key.id, '--json'], env)).stdout,
    ) as { revokedAt: string | null };
    assert.ok(revoked.revokedAt);
  });

  test('backup and restore round-trip the embedded store exactly', async () => {
    const file = path.join(tmp, 'govhub.tar.gz');
    const b = await govhub(['backup', file, '--json'], env);
    assert.equal(b.code, 0, b.stderr);
    assert.ok((JSON.parse(b.stdout) as { bytes: number }).bytes > 1000);
    const restored = path.join(tmp, 'restored');
    const r = await govhub(['restore', file, '--json'], { GOVHUB_DATA_DIR: restored });
    assert.equal(r.code, 0, r.stderr);
    const refused = await govhub(['restore', file], { GOVHUB_DATA_DIR: restored });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /不为空/);
    const bad = path.join(tmp, 'not-a-backup.tar.gz');
    fs.writeFileSync(bad, 'hello');
    const badRestore = await govhub(['restore', bad, '--force'], { GOVHUB_DATA_DIR: restored });
    assert.equal(badRestore.code, 1);
    assert.match(badRestore.stderr, /备份文件无效/);

    const dump = async (dir: string) => {
      const d = await openDatabase({ dataDir: dir });
      try {
        const tables = await sql<{
          tablename: string;
        }>`select tablename from pg_tables where schemaname = 'public' order by 1`.execute(d.db);
        const out: Record<string, unknown> = {};
        for (const { tablename } of tables.rows) {
          out[tablename] = (await sql.raw(`select * from "${tablename}" order by 1`).execute(d.db)).rows;
        }
        return out;
      } finally {
        await d.close();
      }
    };
    const [original, copy] = [await dump(dataDir), await dump(restored)];
    assert.ok(Object.keys(original).includes('event'));
    assert.deepEqual(copy, original);
  });

  describe('serve', () => {
    let child: ChildProcess;
    let out = '';
    before(async () => {
      child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
        env: { ...process.env, ...env, GOVHUB_LOG_LEVEL: 'warn' },
      });
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const started = Date.now();
      while (!/govhub 已启动：http/.test(out)) {
        assert.ok(Date.now() - started < 30_000, `server did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    test('prints its URL, answers /healthz, locks the data directory and shuts down cleanly', async () => {
      const url = /govhub 已启动：(http\S+)/.exec(out)?.[1] as string;
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      const locked = await govhub(['org', 'list'], env);
      assert.equal(locked.code, 1);
      assert.match(locked.stderr, /DATA_DIR_IN_USE/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const after = await govhub(['org', 'list', '--json'], env);
      assert.equal(after.code, 0, 'the lock is released on shutdown');
    });
  });

  test(
    'the same verbs work on a PostgreSQL server named by DATABASE_URL',
    { skip: process.env.GOVHUB_TEST_PG === 'off' },
    async () => {
      const database = await openTestDatabase('postgres', { migrate: false });
      try {
        const url = database.location;
        const pgEnv = { DATABASE_URL: url };
        const migrated = JSON.parse((await govhub(['migrate', '--json'], pgEnv)).stdout) as {
          applied: string[];
        };
        assert.deepEqual(migrated.applied, Object.keys(migrations));
        const demo = await govhub(['demo', '--json'], pgEnv);
        assert.equal(demo.code, 0, demo.stderr);
        const orgs = JSON.parse((await govhub(['org', 'list', '--json'], pgEnv)).stdout) as unknown[];
        assert.ok(orgs.length >= 14);
        const backup = await govhub(['backup', path.join(tmp, 'pg.tar.gz')], pgEnv);
        assert.equal(backup.code, 1);
        assert.match(backup.stderr, /pg_dump/);
      } finally {
        await database.close();
      }
    },
  );
});
