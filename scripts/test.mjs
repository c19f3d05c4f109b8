#!/usr/bin/env node
// `npm test`: type-check and build (tests included), lint, then run every test file with node's
// test runner against embedded PGlite and the PostgreSQL server (see test/support/db.ts).
// `npm test -- identity` runs only test files whose path contains "identity" (and skips lint).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const filters = process.argv.slice(2);

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
}

function findTests(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      findTests(p, out);
    } else if (entry.name.endsWith('.test.js')) {
      out.push(p);
    }
  }
  return out;
}

if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  step(npm, ['ci', '--no-audit', '--no-fund']);
}
step(npm, ['run', '--silent', 'build']);
if (filters.length === 0) {
  step(npm, ['run', '--silent', 'lint']);
}
const files = findTests(path.join(root, 'dist'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.GOVHUB_TEST_CONCURRENCY ?? '2'}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, GOVHUB_LOG_LEVEL: 'silent' } },
);
process.exit(r.status ?? 1);
