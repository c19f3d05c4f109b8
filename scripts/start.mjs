#!/usr/bin/env node
// `npm start`: install dependencies if missing, build if the sources are newer than the build,
// then run `govhub serve --demo` on embedded storage (or DATABASE_URL when set).
// Uses only Node built-ins, because it runs before dependencies exist.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const en = (process.env.GOVHUB_LANG ?? '').toLowerCase().startsWith('en');
const say = (zh, eng) => process.stderr.write(`${en ? eng : zh}\n`);

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
}

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

const lock = path.join(root, 'node_modules', '.package-lock.json');
if (
  !fs.existsSync(lock) ||
  fs.statSync(lock).mtimeMs < fs.statSync(path.join(root, 'package-lock.json')).mtimeMs
) {
  say('正在安装依赖（npm ci）……', 'Installing dependencies (npm ci)…');
  sh(npm, ['ci', '--no-audit', '--no-fund']);
}
const built = path.join(root, 'dist', 'src', 'cli', 'main.js');
// The server and the web app (web/, built by vite into dist/web) are rebuilt together.
const sources = Math.max(
  newest(path.join(root, 'src')),
  newest(path.join(root, 'web')),
  fs.statSync(path.join(root, 'package.json')).mtimeMs,
);
if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < sources) {
  say('正在构建……', 'Building…');
  sh(npm, ['run', '--silent', 'build']);
  fs.utimesSync(built, new Date(), new Date());
}
const args = process.argv.slice(2);
const child = spawnSync(process.execPath, [path.join(root, 'bin', 'govhub.js'), 'serve', '--demo', ...args], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(child.status ?? 0);
