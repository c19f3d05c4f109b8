import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { createServices } from '../../src/container.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { verifyConsistency } from '../../src/ledger/merkle.js';
import { parseCheckpointBody, parseNote } from '../../src/ledger/note.js';
import { loadConfig } from '../../src/platform/config.js';
import { type Database, openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { PG_ADMIN_URL, storageKinds } from '../support/db.js';

/**
 * The ledger under faults, on a real server process: kill -9 while writers append concurrently, restart,
 * and every committed event is in the log, every checkpoint published before the crash is consistent
 * with the tree after it, and `govhub ledger verify` passes — over HTTP and on a tile mirror, where a
 * flipped byte is caught and named.
 */
const BIN = path.resolve(import.meta.dirname, '../../../bin/govhub.js');
const exec = promisify(execFile);
const H = (h: string) => Buffer.from(h, 'hex');

async function govhub(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await exec(process.execPath, [BIN, ...args], {
      env: { ...process.env, GOVHUB_LANG: 'en', ...env },
      timeout: 60_000,
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

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, GOVHUB_LANG: 'en', GOVHUB_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string });
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

const kinds = storageKinds();
describe('ledger under faults (server process, PostgreSQL)', { skip: !kinds.includes('postgres') }, () => {
  const name = `govhub_t_${randomBytes(6).toString('hex')}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  // Both processes open the ledger's sealed signing keys with the same node secret.
  const secret = randomBytes(24).toString('base64url');
  const env = { DATABASE_URL: url.toString(), GOVHUB_LEDGER_INTERVAL_MS: '50', GOVHUB_SECRET_KEY: secret };
  let database: Database;
  let services: ReturnType<typeof createServices>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-ledger-'));
  let server: { child: ChildProcess; url: string } | undefined;

  before(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    database = await openDatabase({ databaseUrl: url.toString(), poolSize: 8 });
    await migrateToLatest(database.db);
    services = createServices(
      database,
      loadConfig({ GOVHUB_LANG: 'en', GOVHUB_SECRET_KEY: secret }, { dataDir: 'memory://' }),
    );
  });
  after(async () => {
    server?.child.kill('SIGKILL');
    await database.close();
    await new Promise((r) => setTimeout(r, 200));
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('kill -9 under concurrent appends: nothing committed is lost, published checkpoints stay consistent, verify passes', async () => {
    server = await startServer(env);
    const committed: number[] = [];
    let writing = true;
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        try {
          committed.push(
            await services.database.db.transaction().execute((trx) =>
              services.ledger.record(trx, SYSTEM, {
                type: 'test.crash',
                subjectId: `${w}-${i}`,
                data: { w, i },
              }),
            ),
          );
        } catch {
          // a writer may fail while the server holds locks it never releases; it retries
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, w) => writer(w));
    const seen: string[] = [];
    const watch = async (base: string) => {
      const res = await fetch(`${base}/api/v1/ledger/log/checkpoint`).catch(() => undefined);
      if (res?.ok) {
        seen.push(await res.text());
      }
    };
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 80));
      await watch(server.url);
    }
    server.child.kill('SIGKILL');
    await new Promise((r) => server?.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 200)); // writers keep committing while no integrator runs
    server = await startServer(env);
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await Promise.all(writers);
    const total = committed.length;
    assert.ok(total > 50, `only ${total} appends`);
    // The restarted integrator catches up with everything committed.
    let status: { size: number; pendingEvents: number; checkpoint: { size: number } | null } | undefined;
    for (let i = 0; i < 100; i++) {
      status = (await (await fetch(`${server.url}/api/v1/ledger`)).json()) as typeof status;
      if (status && status.pendingEvents === 0 && status.checkpoint?.size === status.size) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status?.pendingEvents, 0);
    for (const id of committed) {
      assert.ok(await services.ledger.receipt(id), `event ${id} committed but not in the log`);
    }
    // Every checkpoint seen before the crash is consistent with the latest.
    const latest = parseCheckpointBody(
      parseNote(await (await fetch(`${server.url}/api/v1/ledger/log/checkpoint`)).text()).body,
    );
    assert.ok(seen.length > 0);
    for (const note of seen) {
      const cp = parseCheckpointBody(parseNote(note).body);
      const proof = (await (
        await fetch(`${server.url}/api/v1/ledger/proofs/consistency?first=${cp.size}&second=${latest.size}`)
      ).json()) as { hashes: string[] };
      assert.ok(
        verifyConsistency('sha256', cp.size, latest.size, cp.root, latest.root, proof.hashes.map(H)),
        `${cp.size} → ${latest.size}`,
      );
    }

    // The offline verifier, against the running node (entry bundles need an auditor).
    const org = await services.orgs.create(SYSTEM, { code: `a${Date.now()}`, name: '审计', kind: 'auditor' });
    await services.users.create(SYSTEM, {
      username: 'aud1',
      displayName: '审计员',
      orgId: org.id,
      password: 'Test@Pass2026',
      roles: ['auditor'] as never,
    });
    const login = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'aud1', password: 'Test@Pass2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const vkey = (
      (await (await fetch(`${server.url}/api/v1/ledger/keys`)).json()) as Array<{
        vkey: string;
        purpose: string;
      }>
    ).find((k) => k.purpose === 'log')?.vkey as string;
    const ok = await govhub([
      'ledger',
      'verify',
      '--url',
      server.url,
      '--token',
      token,
      '--key',
      vkey,
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const report = JSON.parse(ok.stdout) as { ok: boolean; size: number; checkpoints: number };
    assert.ok(report.ok && report.size >= total && report.checkpoints > 1);

    // A mirror verifies offline; a flipped byte in an entry bundle is named.
    const dir = path.join(tmp, 'mirror');
    const m = await govhub(['ledger', 'mirror', '--url', server.url, '--token', token, dir]);
    assert.equal(m.code, 0, m.stderr);
    const good = await govhub(['ledger', 'verify', '--tiles', dir, '--key', vkey]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Ledger verified/);
    const bundle = path.join(dir, 'tile/entries/000');
    const bytes = fs.readFileSync(bundle);
    const at = bytes.indexOf('"w":') + 4;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    fs.writeFileSync(bundle, bytes);
    const bad = await govhub(['ledger', 'verify', '--tiles', dir, '--key', vkey]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /entry \d+ \(event \d+\)/);
    // A key the verifier does not trust: no known signature.
    const other = await govhub([
      'ledger',
      'verify',
      '--tiles',
      dir,
      '--key',
      'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
    ]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /checkpoint \d+: no signature by a known key/);
  });
});
