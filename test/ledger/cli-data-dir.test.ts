import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../src/platform/db/database.js';

/** `govhub ledger verify --data-dir` on an embedded store (or a restored backup), as an operator runs it. */
const BIN = path.resolve(import.meta.dirname, '../../../bin/govhub.js');
const exec = promisify(execFile);

async function govhub(args: string[], env: Record<string, string>) {
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

describe('govhub ledger verify --data-dir', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-ledger-dd-'));
  const dataDir = path.join(tmp, 'data');
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('passes on an intact store and names the entry changed behind its back', async () => {
    const env = { GOVHUB_DATA_DIR: dataDir };
    const org = await govhub(
      ['org', 'create', '--code', 'psb', '--name', '公安局', '--kind', 'department'],
      env,
    );
    assert.equal(org.code, 0, org.stderr);
    const integrated = await govhub(['ledger', 'integrate', '--json'], env);
    assert.equal(integrated.code, 0, integrated.stderr);
    assert.ok((JSON.parse(integrated.stdout) as { size: number }).size >= 1);
    const ok = await govhub(['ledger', 'verify', '--data-dir', dataDir], {});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Ledger verified/);
    assert.match(ok.stderr, /no trusted key/); // without --key it says what it proves

    const db = await openDatabase({ dataDir });
    const { rows } = await sql<{
      id: number;
    }>`select event_id as id from ledger_leaf order by seq limit 1`.execute(db.db);
    const id = rows[0]?.id as number;
    await sql`alter table event disable trigger event_no_update`.execute(db.db);
    await sql`update event set subject_id = 'forged' where id = ${id}`.execute(db.db);
    await db.close();
    const bad = await govhub(['ledger', 'verify', '--data-dir', dataDir, '--json'], {});
    assert.equal(bad.code, 2);
    const report = JSON.parse(bad.stdout) as {
      ok: boolean;
      problem: { kind: string; seq: number; eventId: number };
    };
    assert.equal(report.ok, false);
    assert.deepEqual([report.problem.kind, report.problem.seq, report.problem.eventId], ['entry', 0, id]);
  });
});
