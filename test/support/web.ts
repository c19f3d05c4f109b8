import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type ConsoleMessage, type Page } from 'playwright-core';

/** Compiled file lives in dist/test/support/: the repository root is three levels up. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM = process.env.GOVHUB_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** `govhub serve --demo --port 0` on embedded storage in a fresh temporary data directory. */
export async function startDemoServer(): Promise<RunningServer> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) {
    throw new Error('dist/web/index.html is missing: run `npm run build` (it builds the web app too)');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-web-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'govhub.js'), 'serve', '--demo', '--port', '0', '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      env: { ...process.env, GOVHUB_DATA_DIR: dataDir, GOVHUB_LOG_LEVEL: 'warn', GOVHUB_LANG: 'zh' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const started = Date.now();
  let url: string | undefined;
  while (!(url = /govhub 已启动：(http\S+)/.exec(out)?.[1])) {
    if (child.exitCode !== null || Date.now() - started > START_LIMIT_MS) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * How long `serve --demo` may take to start: seeding the demo city takes 5–10 s on a quiet 2-core machine and
 * several times that when the machine is busy.
 */
const START_LIMIT_MS = 180_000;

/**
 * The demo server and Chromium, started together. If either fails the other is stopped, so a failed start
 * never leaves a browser (and the test process) running.
 */
export async function startWeb(): Promise<[RunningServer, Browser]> {
  const [s, b] = await Promise.allSettled([startDemoServer(), launchChromium()]);
  if (s.status === 'rejected' || b.status === 'rejected') {
    await (b.status === 'fulfilled' ? b.value.close() : undefined);
    await (s.status === 'fulfilled' ? s.value.stop() : undefined);
    throw s.status === 'rejected' ? s.reason : (b as PromiseRejectedResult).reason;
  }
  return [s.value, b.value];
}

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (.ci/run does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects console errors and uncaught exceptions of a page. Chromium also logs every non-2xx
 * response as "Failed to load resource"; refusals the test provokes on purpose (401 for a visitor's
 * /auth/me, 400 for conflicting roles, wrong password) are the API answering, not the app failing,
 * so only those statuses are let through.
 */
export function watchConsole(page: Page, expectedStatuses: readonly number[] = [400, 401]): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') {
      return;
    }
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    if (status && expectedStatuses.includes(Number(status))) {
      return;
    }
    problems.push(`${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** Saves test-artifacts/e2e/<name>.png (the full page unless told to keep to the window). */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}
