import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fixture } from './helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../../bin/govhub.js');
const exec = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-ds-cli-'));

async function govhub(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], {
      env: { ...process.env, GOVHUB_DATA_DIR: path.join(tmp, 'data'), GOVHUB_LANG: 'en' },
      timeout: 180_000,
    });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '' };
  }
}

describe('govhub dataset verbs', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('dataset infer proposes items from a spreadsheet', async () => {
    const inferred = await govhub(['dataset', 'infer', fixture('population.xlsx'), '--json']);
    assert.equal(inferred.code, 0);
    const items = JSON.parse(inferred.stdout) as Array<{ name: string; piiKind: string | null }>;
    assert.equal(items.find((i) => i.name === '公民身份号码')?.piiKind, 'resident_id');
    assert.equal(items.length, 9);
  });

  test('a clerk imports a spreadsheet as a new draft resource of the catalog, bad rows set aside', async () => {
    assert.equal((await govhub(['demo', '--json'])).code, 0);
    const people = await govhub([
      'import',
      fixture('population.xlsx'),
      '--new-resource',
      '人口基础信息（导入测试）',
      '--provider',
      'psb',
      '--json',
    ]);
    assert.equal(people.code, 0, people.stdout);
    const pr = JSON.parse(people.stdout) as { rowsRead: number; rowsLoaded: number; rowsRejected: number };
    assert.deepEqual([pr.rowsRead, pr.rowsLoaded, pr.rowsRejected], [1000, 1000, 0]);
    const firms = await govhub([
      'import',
      fixture('enterprises-gbk.csv'),
      '--new-resource',
      '企业登记信息（导入测试）',
      '--provider',
      '成都市市场监督管理局',
      '--on-error',
      'quarantine',
      '--json',
    ]);
    assert.equal(firms.code, 0, firms.stdout);
    const fr = JSON.parse(firms.stdout) as {
      rowsLoaded: number;
      rowsRejected: number;
      errors: Array<{ row: number; column: string }>;
    };
    const bad = JSON.parse(fs.readFileSync(fixture('enterprises-gbk.bad-rows.json'), 'utf8')) as Array<{
      row: number;
      column: string;
    }>;
    assert.equal(fr.rowsRejected, bad.length);
    assert.equal(fr.rowsLoaded, 2000 - bad.length);
    assert.deepEqual(
      fr.errors.map((e) => `${e.row}:${e.column}`).sort(),
      bad.map((b) => `${b.row}:${b.column}`).sort(),
    );
    const missing = await govhub([
      'import',
      fixture('enterprises-gbk.csv'),
      '--resource',
      'NO-SUCH-CODE',
      '--json',
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      (JSON.parse(missing.stdout) as { error: { code: string } }).error.code,
      'RESOURCE_NOT_FOUND',
    );
  });
  test('dataset advise explains, per dataset, whether to host it or keep it linked', async () => {
    const list = JSON.parse((await govhub(['dataset', 'list', '--json'])).stdout) as Array<{
      id: string;
      kind: string;
    }>;
    const hosted = list.find((d) => d.kind === 'hosted');
    assert.ok(hosted, 'the import test above left a hosted dataset');
    const r = await govhub(['dataset', 'advise', hosted.id, '--days', '7', '--json']);
    assert.equal(r.code, 0, r.stdout);
    const [a] = JSON.parse(r.stdout) as Array<{
      recommendation: string;
      days: number;
      reason: { en: string };
    }>;
    assert.equal(a?.recommendation, 'already_hosted');
    assert.equal(a?.days, 7);
    assert.match(a?.reason.en ?? '', /already hosted; 0 reads in the last 7 days/);
  });
});
