import { gzipSync } from 'node:zlib';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { launchChromium, startDemoServer } from '../../test/support/web.js';

/**
 * Web suite: `home_load_ms` — first load of the portal home in Chromium on localhost with a cold
 * cache, from navigation start until the last request of the page has finished (median of 5);
 * `js_gzip_kb` — gzipped size (level 9, per file) of every JavaScript file the console loads while
 * an administrator opens each of its pages (target ≤ 500).
 */
export async function run(): Promise<Record<string, number>> {
  const [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
  try {
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(server.url, { waitUntil: 'networkidle' });
      const ms = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const ends = performance.getEntriesByType('resource').map((r) => r.responseEnd);
        return Math.max(nav.loadEventEnd, ...ends);
      })()`)) as number;
      loads.push(ms);
      await context.close();
    }
    loads.sort((a, b) => a - b);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const scripts = new Map<string, Promise<Buffer>>();
    page.on('response', (res) => {
      if (res.request().resourceType() === 'script' && !scripts.has(res.url())) {
        scripts.set(res.url(), res.body());
      }
    });
    await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
    await page.locator('#login-username').fill('admin');
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL(`${server.url}/console`);
    for (const path of ['/console', '/console/orgs', '/console/users', '/console/apps']) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
    }
    let gz = 0;
    for (const body of scripts.values()) {
      gz += gzipSync(await body, { level: 9 }).length;
    }
    await context.close();
    return {
      home_load_ms: Math.round(loads[Math.floor(loads.length / 2)] ?? 0),
      js_gzip_kb: Math.round((gz / 1024) * 10) / 10,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
