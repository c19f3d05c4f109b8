import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../paths.js';
import { type BenchStore, withBenchStore } from '../storage.js';
import { round, type Suite } from '../suite.js';

const START_LIMIT_MS = 60_000;
const SERVING = /govhub is running at (http:\/\/127\.0\.0\.1:\d+)/;

interface Started {
  child: ChildProcess;
  url: string;
  seconds: number;
}

function serverEnv(store: BenchStore): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOVHUB_LANG: 'en', GOVHUB_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  // A data directory that does not exist yet, as on a fresh clone.
  env.GOVHUB_DATA_DIR = path.join(store.dataDir, 'data');
  if (store.databaseUrl) {
    env.DATABASE_URL = store.databaseUrl;
  }
  return env;
}

/** Resolves with the URL the server prints once it listens; rejects if it exits or takes too long. */
function servingUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`server not serving after ${START_LIMIT_MS} ms`)),
      START_LIMIT_MS,
    );
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = SERVING.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? 'a signal'} before serving: ${err.trim()}`));
    });
  });
}

async function untilHealthy(url: string): Promise<void> {
  const deadline = Date.now() + START_LIMIT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) {
        return;
      }
    } catch {
      // not accepting yet
    }
    await sleep(20);
  }
  throw new Error(`${url}/healthz did not answer 200`);
}

/** `node bin/govhub.js serve --demo`, timed from spawn until /healthz answers 200. */
async function start(store: BenchStore): Promise<Started> {
  const t0 = performance.now();
  const args = [path.join(ROOT, 'bin', 'govhub.js'), 'serve', '--demo', '--host', '127.0.0.1', '--port', '0'];
  const child = spawn(process.execPath, args, { env: serverEnv(store), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await servingUrl(child);
    await untilHealthy(url);
    return { child, url, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Resident and peak resident set of a process in MB, from /proc (Linux). */
async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Starts the server, reads its memory once it answers, and stops it. */
async function startOnce(store: BenchStore) {
  const started = await start(store);
  try {
    return { seconds: started.seconds, mem: await memoryMb(started.child.pid ?? 0) };
  } finally {
    await stop(started.child);
  }
}

/** A first start on an empty store (creates it, migrates, seeds the demo), then a restart on it. */
async function measure(store: BenchStore) {
  const cold = await startOnce(store);
  const warm = await startOnce(store);
  return { cold, warm };
}

/** How long until a fresh install serves (with demo seeding), a restart, and the memory it holds. */
export const startup: Suite = {
  name: 'startup',
  async run() {
    const r = await withBenchStore('startup', measure);
    return {
      cold_start_s: round(r.cold.seconds),
      warm_start_s: round(r.warm.seconds),
      rss_mb: round(r.cold.mem.rss, 0),
      rss_peak_mb: round(r.cold.mem.peak, 0),
      warm_rss_mb: round(r.warm.mem.rss, 0),
    };
  },
};
