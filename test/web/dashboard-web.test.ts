import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import type { StatsOverviewDto } from '../../src/stats/stats.service.js';
import { type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The dashboard, the admin screens (region rules, working calendar) and an accessibility pass, in Chromium
 * against `govhub serve --demo`; then the console walked in English. Screenshots: test-artifacts/e2e/dash-*.png.
 */
describe('dashboard, admin screens, English console (Chromium)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await startWeb();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(
    viewport = { width: 1280, height: 720 },
    lang: 'zh' | 'en' = 'zh',
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
    if (lang === 'en') {
      await context.addInitScript("localStorage.setItem('govhub.lang', 'en')");
    }
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { page, problems: watchConsole(page) };
  }

  async function signIn(page: Page, username: string, submit = '登录') {
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: submit, exact: true }).click();
    await page.waitForURL(`${server.url}/console`);
  }

  /** GET through the page's own session (cookie), as the console does. */
  const apiGet = <T>(page: Page, url: string): Promise<T> =>
    page.evaluate(`fetch(${JSON.stringify(url)}).then((r) => r.json())`) as Promise<T>;

  /**
   * Visible form controls and buttons without an accessible name (label, aria-label, aria-labelledby, a
   * wrapping label, or a button's text). Runs in the page (the tests compile without the DOM library).
   */
  const UNNAMED = `(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea, button')) {
      if (el.offsetParent === null || el.type === 'hidden') continue;
      const byFor = el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
      const named =
        (el.getAttribute('aria-label') || '').trim() ||
        el.getAttribute('aria-labelledby') ||
        (el.closest('label') && el.closest('label').textContent.trim()) ||
        (byFor && byFor.textContent.trim()) ||
        (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  })()`;
  const unnamedControls = (page: Page) => page.evaluate(UNNAMED) as Promise<string[]>;

  /** Tabs from the top of the page until the element matching `selector` has focus; the number of stops. */
  async function tabTo(page: Page, selector: string, max = 60): Promise<number> {
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    for (let i = 1; i <= max; i++) {
      await page.keyboard.press('Tab');
      if (
        await page.evaluate(
          `!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`,
        )
      ) {
        return i;
      }
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  const noHorizontalScroll = async (page: Page) =>
    (await page.evaluate(
      'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
    )) as boolean;

  test('the bureau sees the region’s figures, sets a time limit and a local holiday; a department sees its own', async () => {
    const { page, problems } = await newPage();
    await signIn(page, 'bureau.reviewer');
    await page.getByTestId('stats-scope').waitFor();
    assert.equal(await page.getByTestId('stats-scope').textContent(), '统计范围：全市');
    // The figures are the API's own numbers.
    const o = await apiGet<StatsOverviewDto>(page, '/api/v1/stats/overview');
    const fig = async (id: string) =>
      Number(((await page.getByTestId(id).textContent()) ?? '').replace(/\D/g, ''));
    assert.equal(await fig('stat-published'), o.headline.publishedResources);
    assert.equal(await fig('stat-requests'), o.headline.requests);
    assert.equal(await fig('stat-grants'), o.headline.activeGrants);
    assert.equal(await fig('stat-overdue'), o.headline.overdue);
    assert.equal(await fig('stat-accesses'), o.headline.accesses);
    assert.ok(o.headline.requests > 0 && o.headline.publishedResources > 0, 'the demo city has both');
    await page.getByRole('figure', { name: '数据访问量（近 30 日，按日）' }).waitFor();
    await page.getByRole('figure', { name: '共享申请（按状态）' }).waitFor();
    await page.getByRole('figure', { name: '资源数（按部门，含未发布）' }).waitFor();
    // The state chart's text table (for screen readers) lists the states with their counts.
    const states = page.getByRole('figure', { name: '共享申请（按状态）' }).locator('table');
    for (const r of o.requestsByStatus) {
      await states
        .locator('tr', { hasText: String(r.count) })
        .first()
        .waitFor({ state: 'attached' });
    }
    assert.match((await states.textContent()) ?? '', /已同意/);
    assert.ok(await noHorizontalScroll(page), 'no horizontal scrolling at 1280×720');
    await shot(page, 'dash-01-bureau');
    await page.setViewportSize({ width: 1366, height: 768 });
    assert.ok(await noHorizontalScroll(page), 'no horizontal scrolling at 1366×768');
    await shot(page, 'dash-02-bureau-1366', false);
    await page.setViewportSize({ width: 1280, height: 720 });

    // Region rules: the provider's limit becomes 5 working days; the page and the API both say so.
    await page.getByTestId('nav-admin-rules').click();
    await page.getByRole('heading', { level: 1, name: '区域共享规则与办理时限' }).waitFor();
    assert.deepEqual(await unnamedControls(page), [], 'every control on the rules page has a name');
    await page.getByLabel('提供方审核 时限（工作日）').fill('5');
    // Keyboard: Tab reaches the save button.
    assert.ok((await tabTo(page, '[data-testid="rules-save"]')) > 1);
    await page.keyboard.press('Enter');
    await page.getByTestId('notice').filter({ hasText: '共享规则已保存' }).waitFor();
    const rule = await apiGet<{
      sla: Record<string, { workingDays: number; remindAtWorkingDaysLeft: number[] }>;
    }>(page, '/api/v1/sharing/rules');
    assert.equal(rule.sla.provider_review?.workingDays, 5);
    assert.deepEqual(
      rule.sla.provider_review?.remindAtWorkingDaysLeft,
      [3, 1],
      'default reminders still fit',
    );
    await page.reload();
    assert.equal(await page.getByLabel('提供方审核 时限（工作日）').inputValue(), '5');
    await shot(page, 'dash-03-rules');

    // Working calendar: 2026 shows the national 调休 day; a local holiday is added, shown, then removed.
    await page.getByTestId('nav-admin-calendar').click();
    await page.getByTestId('cal-year').selectOption('2026');
    const national = page.getByTestId('cal-entries').locator('tr[data-date="2026-02-14"]');
    await national.waitFor();
    assert.match((await national.textContent()) ?? '', /调休上班.*国家安排/);
    assert.deepEqual(await unnamedControls(page), [], 'every control on the calendar page has a name');
    await page.getByLabel('日期', { exact: true }).fill('2026-03-03');
    await page.getByLabel('类型', { exact: true }).selectOption('HOLIDAY');
    await page.getByLabel(/^名称/).fill('地方民族节日');
    await page.getByTestId('cal-add-submit').click();
    await page.getByTestId('notice').filter({ hasText: '已添加 2026-03-03' }).waitFor();
    const local = page.getByTestId('cal-entries').locator('tr[data-date="2026-03-03"]');
    await local.waitFor();
    assert.match((await local.textContent()) ?? '', /地方民族节日.*本区域/);
    assert.match(
      (await page.locator('.cal-day[data-date="2026-03-03"]').getAttribute('class')) ?? '',
      /cal-holiday/,
    );
    await shot(page, 'dash-04-calendar');
    await page.getByRole('button', { name: '删除 2026-03-03' }).click();
    await page.getByTestId('notice').filter({ hasText: '已删除 2026-03-03' }).waitFor();
    await local.waitFor({ state: 'detached' });

    // A department's approver: its own figures, the rules read-only.
    const dept = await newPage();
    await signIn(dept.page, 'psb.approver');
    await dept.page.getByTestId('stats-scope').filter({ hasText: '本单位' }).waitFor();
    const own = await apiGet<StatsOverviewDto>(dept.page, '/api/v1/stats/overview');
    assert.equal(own.scope.kind, 'org');
    assert.ok(own.resourcesByOrg.every((r) => r.orgId === own.scope.orgId));
    await dept.page.getByTestId('nav-admin-rules').click();
    await dept.page.getByTestId('rules-readonly').waitFor();
    assert.equal(await dept.page.getByTestId('rules-save').count(), 0);
    await shot(dept.page, 'dash-05-department');

    assert.deepEqual(problems, [], 'no console errors (bureau)');
    assert.deepEqual(dept.problems, [], 'no console errors (department)');
  });

  test('keyboard and dialogs: the sidebar is reachable by Tab, a dialog keeps focus and closes on Esc', async () => {
    const { page, problems } = await newPage({ width: 1366, height: 768 });
    await signIn(page, 'security');
    // After a fresh load: the skip link first, then the navigation in order.
    await page.reload();
    await page.getByTestId('my-roles').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), '跳到主要内容');
    assert.ok((await tabTo(page, '[data-testid="nav-users"]')) <= 15, 'the sidebar is a few stops away');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/users/);
    const opener = page.getByRole('button', { name: /^设置角色/ }).first();
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    assert.deepEqual(await unnamedControls(page), [], 'every control in the dialog has a name');
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate("!!document.activeElement.closest('dialog[open]')");
      if (!inside) {
        // Chromium lets Tab leave the page for its own UI (address bar) after the last stop, never the page behind.
        assert.equal(await page.evaluate('document.activeElement === document.body'), true);
      }
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate(
        "document.activeElement.getAttribute('aria-label') || document.activeElement.textContent",
      ),
      (await opener.getAttribute('aria-label')) || (await opener.textContent()),
      'focus returns to the button that opened the dialog',
    );
    assert.deepEqual(await unnamedControls(page), [], 'every control on the users page has a name');
    await shot(page, 'dash-06-users-keyboard', false);
    assert.deepEqual(problems, []);
  });

  test('accessibility pass: every control on the core pages has a name, at 1280×720 and 1366×768', async () => {
    const walk: Array<[string | null, string[]]> = [
      [null, ['/', '/catalog', '/login']],
      ['admin', ['/console', '/console/orgs', '/console/users', '/console/apps']],
      ['auditor', ['/console', '/console/ledger']],
      ['psb.editor', ['/console/catalog/mine', '/console/catalog/new', '/console/catalog/lists']],
    ];
    for (const [who, paths] of walk) {
      const { page, problems } = await newPage({ width: 1280, height: 720 });
      if (who) {
        await signIn(page, who);
      }
      for (const p of paths) {
        await page.setViewportSize({ width: 1280, height: 720 });
        await page.goto(`${server.url}${p}`);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const where = `${who ?? 'visitor'} ${p}`;
        assert.deepEqual(await unnamedControls(page), [], `${where}: every control has a name`);
        assert.ok(await noHorizontalScroll(page), `${where}: no horizontal scrolling at 1280×720`);
        await page.setViewportSize({ width: 1366, height: 768 });
        assert.ok(await noHorizontalScroll(page), `${where}: no horizontal scrolling at 1366×768`);
      }
      assert.deepEqual(problems, [], `${who ?? 'visitor'}: no console errors`);
      if (who === 'auditor') {
        // The old 审计事件 address lands on the ledger explorer, which replaced it.
        await page.goto(`${server.url}/console/events`);
        await page.waitForURL(/\/console\/ledger$/);
        assert.equal(
          await page.locator('.sidebar nav').getByRole('link', { name: '审计事件' }).count(),
          0,
          'no separate audit-events page in the navigation',
        );
      }
      await page.context().close();
    }
  });

  test('English: the dashboard, catalog console pages and admin pages have English headings and navigation', async () => {
    const cjk = /[\u3400-\u9fff]/;
    const { page, problems } = await newPage({ width: 1280, height: 720 }, 'en');
    await signIn(page, 'bureau.reviewer', 'Sign in');
    const navText = async () =>
      [
        await page.locator('.sidebar nav').innerText(),
        await page.locator('.topnav').innerText(),
        await page.locator('.brand-text').innerText(),
      ].join('\n');
    const checkPage = async (heading: string | RegExp, name: string) => {
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      const nav = await navText();
      assert.ok(!cjk.test(nav), `${name}: no Chinese in the navigation:\n${nav}`);
      const h = await page
        .locator(':is(h1, h2, th, label, legend, figcaption):not(.visually-hidden *)')
        .allInnerTexts();
      const chinese = h.filter((x) => cjk.test(x) && !/[A-Za-z]{3}/.test(x));
      assert.deepEqual(chinese, [], `${name}: headings and labels are English`);
      assert.ok(await noHorizontalScroll(page), `${name}: no horizontal scrolling`);
      assert.deepEqual(await unnamedControls(page), [], `${name}: every control has an accessible name`);
      await shot(page, `dash-en-${name}`);
    };

    await page.getByTestId('stats-scope').filter({ hasText: 'Scope: the whole region' }).waitFor();
    await page.getByRole('figure', { name: 'Data accesses per day (last 30 days)' }).waitFor();
    await page.getByRole('figure', { name: 'Share requests by state' }).waitFor();
    await page.getByRole('heading', { name: 'Key figures' }).waitFor();
    await checkPage(/^Hello, /, 'dashboard');

    await page.getByTestId('nav-my-resources').click();
    await checkPage('My resources', 'my-resources');
    await page.getByTestId('nav-review').click();
    await checkPage(/Review/, 'review');
    await page.getByTestId('nav-lists').click();
    await checkPage(/lists/i, 'lists');
    await page.getByTestId('nav-admin-rules').click();
    await checkPage('Region sharing rules and time limits', 'rules');
    await page.getByText('Provider review', { exact: true }).waitFor();
    await page.getByTestId('nav-admin-calendar').click();
    await page.getByTestId('cal-year').selectOption('2026');
    await page
      .getByTestId('cal-entries')
      .locator('tr[data-date="2026-02-14"]', { hasText: 'Make-up working day' })
      .waitFor();
    await checkPage('Working calendar', 'calendar');
    assert.deepEqual(problems, []);
  });
});
