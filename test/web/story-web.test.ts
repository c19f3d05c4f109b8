import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { ROOT, type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The whole sharing story of issue #7, in Chromium against `govhub serve --demo` on embedded storage, every step
 * through the console a real user would use:
 *  1. psb.editor (公安局) imports population.xlsx through the import wizard as a new resource, completes its
 *     abstract and sharing condition in the editor and submits it for review;
 *  2. bureau.reviewer (数据局) approves and publishes it;
 *  3. health.dev (卫健委) requests three of its items for a stated purpose, for one of its apps, from the public
 *     resource page;
 *  4. psb.approver approves with a masking profile (and the bureau its step, when the region's rule asks);
 *  5. the app reads rows with its API key — masked as decided — and keeps the response's receipt;
 *  6. the auditor pastes the receipt into the ledger's receipt check and sees "已验证", the proof checked in the
 *     browser against the signed checkpoint.
 * Screenshots: test-artifacts/e2e/story-*.png. No console errors on any page.
 */
describe('the whole sharing story (Chromium)', { timeout: 360_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const stamp = Date.now().toString(36);
  const name = `常住人口信息${stamp}`;
  const purpose = `独居老人关爱服务对象核验${stamp}`;
  const appName = `关爱服务应用${stamp}`;
  const file = path.join(ROOT, 'test', 'fixtures', 'population.xlsx');
  const pages: Array<{ who: string; problems: string[] }> = [];

  before(async () => {
    [server, browser] = await startWeb();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    pages.push({ who: username, problems: watchConsole(page) });
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${server.url}/console`);
    return page;
  }

  async function bearer(username: string): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { token: string }).token;
  }

  test('import → review → request → approve with masking → masked read → receipt verified', async () => {
    // ── 1. The clerk imports the spreadsheet as a new resource and submits it ─────────────────────────────────
    const clerk = await signIn('psb.editor');
    await clerk.getByRole('link', { name: '数据导入' }).first().click();
    await clerk.getByTestId('step-upload').waitFor();
    await clerk.getByTestId('target-new').check();
    await clerk.getByTestId('file').setInputFiles(file);
    await clerk.getByTestId('new-name').fill(name);
    await clerk.getByTestId('upload').click();
    await clerk.getByTestId('step-preview').waitFor();
    const header = await clerk.locator('[data-testid="preview-rows"] thead th').allTextContents();
    assert.ok(header.includes('公民身份号码') && header.includes('姓名'), header.join(','));
    await shot(clerk, 'story-01-import-preview');
    await clerk.getByTestId('to-items').click();
    const idRow = clerk.locator('[data-testid="draft-items"] tr[data-item="公民身份号码"]');
    assert.equal(await idRow.locator('select[data-testid^="pii-"]').inputValue(), 'resident_id');
    // Every column filled in every row is proposed as 核心 (never leaves); the clerk grades the items other
    // departments may receive: the identifiers 重要 (masked unless a grant says otherwise), the region 一般.
    for (const [item, level] of [
      ['公民身份号码', 'important'],
      ['姓名', 'important'],
      ['户籍地行政区划代码', 'general'],
    ]) {
      await clerk
        .locator(`[data-testid="draft-items"] tr[data-item="${item}"] select[data-testid^="level-"]`)
        .selectOption(level as string);
    }
    await clerk.getByTestId('to-mode').click();
    await clerk.getByTestId('commit').click();
    await clerk.getByTestId('step-result').waitFor();
    assert.equal(await clerk.getByTestId('result-status').getAttribute('data-status'), 'loaded');
    assert.equal(Number(await clerk.getByTestId('rows-loaded').textContent()), 1000);
    await shot(clerk, 'story-02-import-result');

    // The wizard's draft is opened in the catalog editor: abstract and sharing condition, then review.
    await clerk.locator('[data-testid="step-result"] a[href*="/catalog/edit/"]').click();
    await clerk.waitForURL(/\/console\/catalog\/edit\//);
    const resourceId = clerk.url().split('/').pop() as string;
    await clerk.locator('#f-abstract').fill('全市常住人口的姓名、身份号码、性别、出生日期、户籍地与联系电话');
    await clerk.locator('#f-share').selectOption('conditional');
    await clerk.locator('#f-cond').fill('用于民生服务对象的身份核验，须说明用途');
    await clerk.getByTestId('save-draft').click();
    await clerk.getByTestId('notice').waitFor();
    await clerk.getByTestId('submit-review').click();
    await clerk.getByTestId('edit-status').filter({ hasText: '待审核' }).waitFor();
    await shot(clerk, 'story-03-submitted');

    // ── 2. The data bureau approves and publishes ───────────────────────────────────────────────────────────
    const reviewer = await signIn('bureau.reviewer');
    await reviewer.getByTestId('nav-review').click();
    await reviewer.getByTestId(`review-row-${name}`).getByRole('button', { name: '审核通过' }).click();
    await reviewer.getByTestId('review-approved').getByTestId(`review-row-${name}`).waitFor();
    await reviewer.getByTestId(`review-row-${name}`).getByRole('button', { name: '发布' }).click();
    await reviewer.getByTestId('notice').filter({ hasText: name }).waitFor();
    await shot(reviewer, 'story-04-published');

    // ── 3. Another department requests three items for a stated purpose, for its app ────────────────────────
    const devToken = await bearer('health.dev');
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${server.url}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      assert.ok(res.ok, `${method} ${url}: ${res.status}`);
      return (await res.json()) as T;
    };
    const me = await call<{ orgId: string }>('GET', '/auth/me');
    const app = await call<{ id: string }>('POST', '/apps', { name: appName, orgId: me.orgId });
    const key = await call<{ secret: string }>('POST', `/apps/${app.id}/keys`, { name: 'story' });

    const consumer = await signIn('health.dev');
    await consumer.goto(`${server.url}/catalog/${resourceId}`);
    await consumer.getByTestId('request-link').click();
    await consumer.waitForURL(/\/console\/sharing\/new\?resource=/);
    await consumer.getByTestId(`rq-resource-${name}`).waitFor();
    await consumer.locator('#rq-consumer').selectOption({ label: `本单位应用：${appName}` });
    for (const item of ['姓名', '公民身份号码', '户籍地行政区划代码']) {
      await consumer.getByTestId(`rq-item-${item}`).check();
    }
    await consumer.locator('#rq-purpose').fill(purpose);
    await consumer.locator('#rq-scenario').fill('核验独居老人关爱服务对象的身份与户籍地');
    await consumer.locator('#rq-basis').fill('《四川省养老服务条例》');
    await consumer.locator('#rq-volume').fill('每月约 2,000 次');
    await shot(consumer, 'story-05-request');
    await consumer.getByTestId('rq-submit').click();
    await consumer.waitForURL(/\/console\/sharing\/requests\/[0-9a-f-]+$/);
    await consumer.getByTestId('detail-status').filter({ hasText: '提供方审核中' }).waitFor();

    // ── 4. The provider approves with a masking profile ─────────────────────────────────────────────────────
    const approver = await signIn('psb.approver');
    await approver.getByTestId('nav-sharing-inbox').click();
    const row = approver.getByTestId(`inbox-row-${purpose}`);
    await row.waitFor();
    assert.match((await row.getByTestId('countdown').textContent()) ?? '', /剩余 \d+ 个工作日/);
    await row.getByTestId('inbox-open').click();
    await approver.getByTestId('decision-panel').waitFor();
    await approver.getByTestId('mask-公民身份号码').selectOption('partial');
    await approver.getByTestId('mask-姓名').selectOption('partial');
    await approver.getByTestId('mask-户籍地行政区划代码').selectOption('clear');
    await shot(approver, 'story-06-decide');
    await approver.getByTestId('decide-submit').click();
    const status = approver.getByTestId('detail-status');
    await status.filter({ hasText: /已同意|数据局复核中/ }).waitFor();
    if (((await status.textContent()) ?? '').includes('数据局复核中')) {
      // The region's rule sends this level of data to the bureau as well.
      await reviewer.getByTestId('nav-sharing-inbox').click();
      await reviewer.getByTestId(`inbox-row-${purpose}`).getByTestId('inbox-open').click();
      await reviewer.getByTestId('decision-panel').waitFor();
      await reviewer.getByTestId('decide-submit').click();
      await reviewer.getByTestId('detail-status').filter({ hasText: '已同意' }).waitFor();
    }

    // The consumer sees the grant and its masking.
    await consumer.getByTestId('nav-sharing-grants').click();
    await consumer.getByTestId(`grant-row-${purpose}`).getByRole('link').click();
    await consumer.getByTestId('grant-status').filter({ hasText: '有效' }).waitFor();
    const grantId = ((await consumer.getByTestId('grant-id').textContent()) ?? '').trim();
    await shot(consumer, 'story-07-grant');

    // ── 5. The app reads masked rows and keeps the receipt ──────────────────────────────────────────────────
    const res = await fetch(`${server.url}/api/v1/data/grants/${grantId}/rows?limit=50`, {
      headers: { 'x-api-key': key.secret },
    });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, body.toString());
    const { rows } = JSON.parse(body.toString()) as { rows: Array<Record<string, string>> };
    assert.equal(rows.length, 50);
    const sheet = new ExcelJS.Workbook();
    await sheet.xlsx.readFile(file);
    const ws = sheet.worksheets[0]!;
    const ids = new Set<string>();
    ws.eachRow((r, n) => {
      if (n > 2) {
        ids.add(String(r.getCell(3).value));
      }
    });
    const idEnds = new Set([...ids].map((id) => `${id.slice(0, 6)}…${id.slice(-4)}`));
    for (const r of rows) {
      assert.deepEqual(Object.keys(r).sort(), ['公民身份号码', '姓名', '户籍地行政区划代码'].sort());
      const id = r['公民身份号码'] as string;
      assert.match(id, /^\d{6}\*{8}[\dX]{4}$/, `ID number partly masked: ${id}`);
      assert.ok(idEnds.has(`${id.slice(0, 6)}…${id.slice(-4)}`), `an ID of the imported file: ${id}`);
      assert.match(r['姓名'] as string, /^\p{Script=Han}\*+$/u, `name masked: ${r['姓名']}`);
      assert.match(String(r['户籍地行政区划代码']), /^5101\d\d$/, 'the clear item is served as is');
    }
    const receipt = res.headers.get('x-govhub-receipt');
    const digest = res.headers.get('x-govhub-body-sha256');
    assert.ok(receipt && digest, 'the response carries its receipt');
    assert.equal(digest, createHash('sha256').update(body).digest('hex'), 'the receipt names this body');

    // ── 6. The auditor checks the receipt in the browser ───────────────────────────────────────────────────
    // The access event is committed with the response; the integrator puts it under a signed checkpoint
    // within about a second. Wait for that through the public API, as any client would.
    const eventId = Number(/event=(\d+)/.exec(receipt)?.[1]);
    assert.ok(eventId > 0, receipt);
    const auditorToken = await bearer('auditor');
    for (let i = 0; ; i++) {
      const proof = await fetch(`${server.url}/api/v1/ledger/receipts/${eventId}`, {
        headers: { authorization: `Bearer ${auditorToken}` },
      });
      if (proof.status === 200) {
        break;
      }
      assert.ok(i < 60, `receipt ${eventId} provable within 30 s (last: ${proof.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const auditor = await signIn('auditor');
    await auditor.goto(`${server.url}/console/ledger/receipt`);
    await auditor
      .getByTestId('receipt-input')
      .fill(`x-govhub-receipt: ${receipt}\nx-govhub-body-sha256: ${digest}`);
    await auditor.getByTestId('receipt-verify').click();
    const badge = auditor.locator('[data-testid="verify-badge"]');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-ok'), 'true', (await badge.textContent()) ?? '');
    assert.match((await badge.textContent()) ?? '', /已验证/);
    await shot(auditor, 'story-08-receipt-verified');

    for (const p of pages) {
      assert.deepEqual(p.problems, [], `console errors for ${p.who}`);
    }
  });
});
