import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The catalog in the portal and the console, in Chromium against `govhub serve --demo`: a visitor searches
 * for 户籍 and narrows by facets, reads a resource page; psb.editor catalogs a new resource (meets a
 * per-field error first) and submits it; bureau.reviewer approves and publishes; the public then finds it.
 * Screenshots: test-artifacts/e2e/catalog-*.png.
 */
describe('catalog portal and console (Chromium)', { timeout: 180_000 }, () => {
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

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { page, problems: watchConsole(page) };
  }

  async function signIn(page: Page, username: string) {
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${server.url}/console`);
  }

  const total = async (page: Page) =>
    Number(/\d+/.exec((await page.getByTestId('catalog-total').textContent()) ?? '')?.[0]);

  test('a visitor searches, narrows by facets and reads a resource; an editor catalogs, the bureau publishes, the public sees it', async () => {
    const { page, problems } = await newPage();

    // Home: headline figures are the catalog's own numbers.
    await page.goto(server.url);
    const published = Number((await page.getByTestId('figure-published').textContent())?.replace(/\D/g, ''));
    const providers = Number((await page.getByTestId('figure-providers').textContent())?.replace(/\D/g, ''));
    const items = Number((await page.getByTestId('figure-items').textContent())?.replace(/\D/g, ''));
    const api = (await (await fetch(`${server.url}/api/v1/catalog/search?pageSize=1`)).json()) as {
      total: number;
      facets: { provider: unknown[] };
    };
    assert.equal(published, api.total);
    assert.equal(providers, api.facets.provider.length);
    assert.ok(items > published, `every resource has items (${items})`);
    await shot(page, 'catalog-01-home');

    // Search in Chinese from the home page.
    await page.getByTestId('home-q').fill('户籍');
    await page.getByTestId('home-q').press('Enter');
    await page.waitForURL(/\/catalog\?q=/);
    await page.getByRole('link', { name: '人口户籍信息', exact: true }).waitFor();
    const all = await total(page);
    assert.ok(all >= 4 && all < published, `户籍 matches some resources (${all})`);
    await shot(page, 'catalog-02-search');

    // The provider facet narrows to the public security bureau's resources; counts match the result.
    const psb = page.locator('[data-testid^="facet-provider-"]', { hasText: '成都市公安局' });
    const psbCount = Number(await psb.locator('.count').textContent());
    await psb.click();
    await page.waitForURL(/provider=/);
    await page.getByTestId('clear-filters').waitFor();
    await page
      .getByTestId('catalog-total')
      .filter({ hasText: ` ${psbCount} ` })
      .waitFor();
    assert.equal(await total(page), psbCount);
    assert.ok(psbCount < all, 'the facet narrows the result');
    await page.getByRole('link', { name: '人口户籍信息', exact: true }).waitFor();
    await shot(page, 'catalog-03-facet');

    // A query with no match shows the empty state.
    await page.getByTestId('catalog-q').fill('zzzqqqxxx');
    await page.getByTestId('catalog-search').click();
    await page.getByText('没有找到符合条件的资源').waitFor();

    // The resource page: metadata, items with levels, how to get it.
    await page.goBack();
    await page.getByRole('link', { name: '人口户籍信息', exact: true }).click();
    await page.getByTestId('resource-name').waitFor();
    assert.equal(await page.getByTestId('resource-name').textContent(), '人口户籍信息');
    const rows = page.getByTestId('items').locator('tbody tr');
    assert.ok((await rows.count()) >= 3);
    const table = (await page.getByTestId('items').textContent()) ?? '';
    assert.match(table, /公民身份号码/);
    assert.match(table, /核心|重要|一般/);
    assert.match((await page.getByTestId('resource-meta').textContent()) ?? '', /成都市公安局/);
    await page.getByText('如何获取').waitFor();
    assert.match(
      (await page.getByTestId('curl-meta').textContent()) ?? '',
      /curl .*\/api\/v1\/catalog\/resources\//,
    );
    await shot(page, 'catalog-04-resource');

    // English switch on the new pages.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: /^Data items/ }).waitFor();
    await page.getByText('How to get it').waitFor();
    await shot(page, 'catalog-05-resource-en');
    await page.getByTestId('lang-switch').click();
    await page.getByText('如何获取').waitFor();

    // psb.editor catalogs a new resource: a per-field error first, then a clean save and submit.
    const name = `端到端户籍核验${stamp}`;
    const editor = await newPage();
    await signIn(editor.page, 'psb.editor');
    await editor.page.getByTestId('nav-my-resources').click();
    await editor.page.getByTestId('new-resource').click();
    await editor.page.locator('#f-name').fill(name);
    await editor.page.locator('#f-item').fill('01');
    await editor.page.locator('#f-catalog').fill('001');
    await editor.page.getByLabel('名称 1').fill('公民身份号码');
    await editor.page.getByTestId('save-draft').click();
    await editor.page.getByTestId('error-abstract').waitFor();
    assert.equal(await editor.page.getByTestId('error-abstract').textContent(), '必填');
    await shot(editor.page, 'catalog-06-editor-error');
    assert.equal(await editor.page.getByTestId('error-shareCondition').textContent(), '须填写条件或依据');
    await editor.page.locator('#f-abstract').fill('端到端测试：户籍核验结果');
    await editor.page.locator('#f-cond').fill('用于户籍核验业务');
    await editor.page.getByTestId('save-draft').click();
    await editor.page.waitForURL(/\/console\/catalog\/edit\//);
    await editor.page.getByTestId('submit-review').click();
    await editor.page.getByTestId('edit-status').filter({ hasText: '待审核' }).waitFor();
    await shot(editor.page, 'catalog-07-submitted');
    assert.deepEqual(editor.problems, []);

    // bureau.reviewer approves, then publishes.
    const reviewer = await newPage();
    await signIn(reviewer.page, 'bureau.reviewer');
    await reviewer.page.getByTestId('nav-review').click();
    const row = reviewer.page.getByTestId(`review-row-${name}`);
    await row.getByRole('button', { name: '审核通过' }).click();
    await reviewer.page.getByTestId('review-approved').getByTestId(`review-row-${name}`).waitFor();
    await shot(reviewer.page, 'catalog-08-approved');
    await reviewer.page.getByTestId(`review-row-${name}`).getByRole('button', { name: '发布' }).click();
    await reviewer.page.getByTestId('notice').filter({ hasText: name }).waitFor();
    await reviewer.page.getByTestId('nav-lists').click();
    await reviewer.page.getByTestId('coverage').waitFor();
    await shot(reviewer.page, 'catalog-09-lists');
    assert.deepEqual(reviewer.problems, []);

    // The public finds the new resource, version 1.
    await page.goto(`${server.url}/catalog?q=${encodeURIComponent(name)}`);
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByTestId('resource-version').filter({ hasText: '1' }).waitFor();
    assert.match((await page.getByTestId('items').textContent()) ?? '', /公民身份号码/);
    await page.getByTestId('versions').waitFor();
    await shot(page, 'catalog-10-public-new');
    assert.deepEqual(problems, []);
  });
});
