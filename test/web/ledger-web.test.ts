import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The auditor's ledger explorer in Chromium against `govhub serve --demo`: filters events, opens one,
 * verifies it in the browser (checkpoint signature, leaf from the entry, root from the proof) → 已验证;
 * checks a pasted receipt (verified), then the same receipt with a body digest it does not carry
 * (验证失败 at the digest step); and the consistency between the oldest and newest checkpoints.
 * Screenshots: test-artifacts/e2e/ledger-*.png.
 */
describe('ledger explorer with in-browser proof checks (Chromium)', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await startWeb();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(username: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = watchConsole(page);
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${server.url}/console`);
    return { page, problems };
  }

  test('the auditor filters, opens and verifies an event, checks a receipt and the log’s consistency', async () => {
    const { page, problems } = await signIn('auditor');
    await page.getByRole('link', { name: '账本浏览与验证' }).first().click();
    await page.waitForURL(/\/console\/ledger$/);
    await page.getByTestId('ledger-events').waitFor();

    // Filter by type: every row shown is of that type.
    await page.getByTestId('filter-type').fill('org.created');
    await page.getByTestId('ledger-search').click();
    await page.locator('[data-testid="ledger-events"] tbody tr').first().waitFor();
    const types = await page
      .locator('[data-testid="ledger-events"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    assert.ok(types.length >= 10, `the demo city created its departments (${types.length})`);
    assert.deepEqual(new Set(types), new Set(['org.created']));
    await shot(page, 'ledger-01-filtered');

    // Open one: canonical entry and leaf hash; verify in the browser.
    const row = page.locator('[data-testid="ledger-events"] tbody tr').nth(2);
    const eventId = Number(await row.getAttribute('data-event'));
    await page.getByTestId(`open-${eventId}`).click();
    const entry = JSON.parse((await page.getByTestId('detail-entry').textContent()) ?? '{}') as Record<
      string,
      unknown
    >;
    assert.equal(entry.id, eventId);
    assert.equal(entry.type, 'org.created');
    assert.match((await page.getByTestId('detail-leaf').textContent()) ?? '', /^[0-9a-f]{64}$/);
    await page.getByTestId('verify-event').click();
    const badge = page.getByTestId('verify-badge');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-ok'), 'true', (await badge.textContent()) ?? '');
    assert.match((await badge.textContent()) ?? '', /已验证/);
    const steps = await page
      .locator('[data-testid="verify-steps"] li')
      .evaluateAll((li) => li.map((l) => `${l.getAttribute('data-step')}:${l.getAttribute('data-ok')}`));
    assert.deepEqual(steps, [
      'keys:true',
      'signature:true',
      'checkpoint:true',
      'leaf:true',
      'proof:true',
      'root:true',
    ]);
    await shot(page, 'ledger-02-verified');

    // The same event as a pasted receipt verifies; with a body digest the event never recorded, it fails.
    await page.getByRole('link', { name: '回执验证' }).first().click();
    await page.getByTestId('receipt-input').fill(`x-govhub-receipt: event=${eventId}`);
    await page.getByTestId('receipt-verify').click();
    await page.locator('[data-testid="verify-badge"][data-ok="true"]').waitFor();
    await shot(page, 'ledger-03-receipt-verified');
    await page
      .getByTestId('receipt-input')
      .fill(`x-govhub-receipt: event=${eventId}\nx-govhub-body-sha256: ${'ab'.repeat(32)}`);
    await page.getByTestId('receipt-verify').click();
    const failed = page.locator('[data-testid="verify-badge"][data-ok="false"]');
    await failed.waitFor();
    assert.equal(await failed.getAttribute('data-step'), 'digest');
    assert.match((await failed.textContent()) ?? '', /验证失败/);
    assert.match((await failed.textContent()) ?? '', /响应体摘要/);
    await shot(page, 'ledger-04-receipt-failed');

    // Consistency between the oldest and the newest signed checkpoint.
    await page.goto(`${server.url}/console/ledger/consistency`);
    await page.getByTestId('consistency-verify').click();
    await page.locator('[data-testid="verify-badge"][data-ok="true"]').waitFor();
    await shot(page, 'ledger-05-consistency');

    assert.deepEqual(problems, []);
  });
});
