import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { ROOT, type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The import wizard in Chromium against `govhub serve --demo`: psb.editor imports population.xlsx as a
 * new draft resource (header found under the merged title rows, PII suggested, one suggestion changed),
 * samr.editor imports the GBK enterprises CSV (encoding detected), sees exactly the known bad rows by row
 * and column, fixes one in quarantine and re-submits it. Screenshots: test-artifacts/e2e/import-*.png.
 */
const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', name);

describe('import wizard and quarantine (Chromium)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const stamp = Date.now().toString(36);

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
    page.setDefaultTimeout(30_000);
    const problems = watchConsole(page);
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${server.url}/console`);
    return { page, problems };
  }

  async function uploadNew(page: Page, name: string, file: string) {
    await page.getByRole('link', { name: '数据导入' }).first().click();
    await page.getByTestId('step-upload').waitFor();
    await page.getByTestId('target-new').check();
    await page.getByTestId('file').setInputFiles(file);
    await page.getByTestId('new-name').fill(name);
    await page.getByTestId('upload').click();
    await page.getByTestId('step-preview').waitFor();
  }

  test('psb.editor imports population.xlsx as a new resource: header under the title rows, PII suggested', async () => {
    const { page, problems } = await signIn('psb.editor');
    await uploadNew(page, `人口信息向导导入${stamp}`, fixture('population.xlsx'));
    const header = await page.locator('[data-testid="preview-rows"] thead th').allTextContents();
    assert.ok(header.includes('公民身份号码'), header.join(','));
    assert.ok(
      Number(await page.getByTestId('first-data-row').textContent()) > 2,
      'title rows above the header',
    );
    assert.equal(await page.locator('[data-testid="preview-rows"] tbody tr').count(), 20);
    await shot(page, 'import-01-population-preview');

    await page.getByTestId('to-items').click();
    const idRow = page.locator('[data-testid="draft-items"] tr[data-item="公民身份号码"]');
    assert.equal(await idRow.locator('select[data-testid^="pii-"]').inputValue(), 'resident_id');
    const nameRow = page.locator('[data-testid="draft-items"] tr[data-item="姓名"]');
    assert.equal(await nameRow.locator('select[data-testid^="pii-"]').inputValue(), 'name');
    // The clerk changes one suggestion: the level of 姓名.
    await nameRow.locator('select[data-testid^="level-"]').selectOption('important');
    await shot(page, 'import-02-population-items');
    await page.getByTestId('to-mode').click();
    await page.getByTestId('commit').click();
    await page.getByTestId('step-result').waitFor();
    assert.equal(await page.getByTestId('result-status').getAttribute('data-status'), 'loaded');
    assert.equal(Number(await page.getByTestId('rows-loaded').textContent()), 1000);
    assert.equal(Number(await page.getByTestId('rows-rejected').textContent()), 0);
    await shot(page, 'import-03-population-result');

    // The draft resource has the clerk's items.
    const resourceId = (
      await page.locator('[data-testid="step-result"] a[href*="/catalog/edit/"]').getAttribute('href')
    )
      ?.split('/')
      .pop();
    const items = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/catalog/resources/${id}`);
      return ((await r.json()) as { items: Array<{ name: string; level: string; piiKind: string | null }> })
        .items;
    }, resourceId);
    assert.equal(items.find((i) => i.name === '姓名')?.level, 'important');
    assert.equal(items.find((i) => i.name === '公民身份号码')?.piiKind, 'id_number');
    assert.deepEqual(problems, []);
  });

  test('samr.editor imports the GBK enterprises CSV, sees exactly the bad rows, fixes one in quarantine', async () => {
    const { page, problems } = await signIn('samr.editor');
    await uploadNew(page, `企业登记向导导入${stamp}`, fixture('enterprises-gbk.csv'));
    assert.equal(await page.getByTestId('detected-encoding').textContent(), 'gbk');
    assert.equal(await page.getByTestId('encoding').inputValue(), 'gbk');
    const header = await page.locator('[data-testid="preview-rows"] thead th').allTextContents();
    assert.ok(header.includes('统一社会信用代码') && header.includes('企业名称'), header.join(','));
    await shot(page, 'import-04-enterprises-preview');

    await page.getByTestId('to-items').click();
    await page.getByTestId('to-mode').click();
    await page.getByTestId('on-error-quarantine').check();
    await page.getByTestId('commit').click();
    await page.getByTestId('step-result').waitFor();
    const bad = JSON.parse(fs.readFileSync(fixture('enterprises-gbk.bad-rows.json'), 'utf8')) as Array<{
      row: number;
      column: string;
    }>;
    assert.equal(Number(await page.getByTestId('rows-rejected').textContent()), bad.length);
    assert.equal(Number(await page.getByTestId('rows-loaded').textContent()), 2000 - bad.length);
    const shown = await page
      .locator('[data-testid="result-errors"] tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.getAttribute('data-row')}:${r.getAttribute('data-column')}`),
      );
    assert.deepEqual(shown.sort(), bad.map((b) => `${b.row}:${b.column}`).sort());
    await shot(page, 'import-05-enterprises-result');

    await page.getByTestId('to-quarantine').click();
    await page.getByTestId('quarantine').waitFor();
    assert.equal(await page.locator('[data-testid="quarantine"] tbody tr').count(), bad.length);
    const emptyName = bad.find((b) => b.column === '企业名称') as { row: number };
    await page.getByTestId(`cell-${emptyName.row}-企业名称`).fill('天府向导测试有限公司');
    await shot(page, 'import-06-quarantine-edit');
    await page.getByTestId('resubmit').click();
    await page
      .getByTestId('quarantine-count')
      .filter({ hasText: String(bad.length - 1) })
      .waitFor();
    assert.equal(
      await page.locator(`[data-testid="quarantine"] tbody tr[data-row="${emptyName.row}"]`).count(),
      0,
    );
    await shot(page, 'import-07-quarantine-resubmitted');
    assert.deepEqual(problems, []);
  });
});
