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
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '' };
  }
}

describe('govhub dataset verbs', () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('dataset infer proposes items from a spreadsheet; import says plainly when the catalog is missing', async () => {
    const inferred = await govhub(['dataset', 'infer', fixture('population.xlsx'), '--json']);
    assert.equal(inferred.code, 0);
    const items = JSON.parse(inferred.stdout) as Array<{ name: string; piiKind: string | null }>;
    assert.equal(items.find((i) => i.name === '公民身份号码')?.piiKind, 'resident_id');
    assert.equal(items.length, 9);
    const imported = await govhub(['import', fixture('enterprises-gbk.csv'), '--resource', 'R1', '--json']);
    assert.equal(imported.code, 1);
    const body = JSON.parse(imported.stdout) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'CATALOG_UNAVAILABLE');
    assert.match(body.error.message, /catalog not available/);
  });
});
