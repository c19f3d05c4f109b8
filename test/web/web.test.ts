import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The web portal and console in Debian's Chromium against `govhub serve --demo` on embedded storage:
 * what an administrator, a security administrator and an auditor see and do, and the English switch.
 * Screenshots of every step go to test-artifacts/e2e/.
 */
describe('web portal and console (Chromium)', { timeout: 180_000 }, () => {
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
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { page, problems: watchConsole(page) };
  }

  async function signIn(page: Page, username: string, password = DEMO_PASSWORD, submit = '登录') {
    await page.goto(`${server.url}/login`);
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(password);
    await page.getByRole('button', { name: submit, exact: true }).click();
  }

  async function signOut(page: Page) {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(`${server.url}/`);
  }

  const dialog = (page: Page) => page.locator('dialog[open]');

  test('admin creates an organization, a user and an app; security meets separation of duties and issues a key once; the auditor sees it all', async () => {
    const { page, problems } = await newPage();
    const code = `e2e_${stamp}`;
    const orgName = `端到端测试局${stamp}`;
    const username = `e2e.${stamp}`;
    const appName = `端到端应用${stamp}`;
    const keyName = `密钥${stamp}`;

    // Public home: real figures only; counts behind a permission are not shown to visitors.
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1, name: '一体化政务数据平台' }).waitFor();
    assert.equal(await page.getByTestId('figure-status').textContent(), '运行正常');
    assert.equal(await page.getByTestId('figure-orgs').count(), 0);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    await shot(page, '01-home');

    // Sign in as the system administrator: the navigation follows /auth/me permissions.
    await page.getByRole('link', { name: '登录', exact: true }).first().click();
    await page.waitForURL(/\/login/);
    await shot(page, '02-login');
    await signIn(page, 'admin');
    await page.waitForURL(`${server.url}/console`);
    await page.getByTestId('nav-orgs').waitFor();
    assert.equal(
      await page.getByTestId('nav-ledger-explorer').count(),
      0,
      'the sysadmin does not read the ledger',
    );
    await page.getByRole('figure', { name: '组织机构（按类型）' }).waitFor();
    await shot(page, '03-console-admin');

    // Home now shows the real organization count from the API.
    await page.goto(server.url);
    const orgCount = Number(await page.getByTestId('figure-orgs').textContent());
    assert.ok(orgCount >= 15, `demo city has its departments (${orgCount})`);
    await page.getByRole('link', { name: '进入工作台' }).click();

    // Organizations: create one under the first top-level org, then edit it.
    await page.getByTestId('nav-orgs').click();
    await page.getByTestId('org-tree').waitFor();
    await page.getByRole('button', { name: '新建机构' }).click();
    await dialog(page).getByLabel('机构代码').fill(code);
    await dialog(page).getByLabel('名称', { exact: true }).fill(orgName);
    await dialog(page).getByLabel('类型').selectOption('department');
    await dialog(page).getByLabel('上级机构').selectOption({ index: 1 });
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await page
      .getByTestId('notice')
      .filter({ hasText: `已创建机构“${orgName}”` })
      .waitFor();
    const row = page.locator(`tr[data-code="${code}"]`);
    await row.waitFor();
    assert.equal(await row.locator('th').getAttribute('aria-level'), '2', 'placed under its parent');
    await row.getByRole('button', { name: `编辑 ${orgName}` }).click();
    await dialog(page).getByLabel('英文名称').fill('E2E Bureau');
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await row.getByText('E2E Bureau').waitFor();
    await shot(page, '04-org-created');

    // Users: create one in the new organization (the sysadmin cannot give roles).
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-table').waitFor();
    await page.getByRole('button', { name: '新建用户' }).click();
    await dialog(page).getByLabel('用户名').fill(username);
    await dialog(page).getByLabel('姓名').fill('端到端用户');
    await dialog(page).getByLabel('所属机构').selectOption({ label: orgName });
    await dialog(page).getByLabel('初始密码').fill('E2e-Passw0rd!2026');
    assert.equal(await dialog(page).getByRole('checkbox').count(), 0, 'no role boxes for the sysadmin');
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await page.locator(`tr[data-username="${username}"]`).waitFor();
    await shot(page, '05-user-created');

    // Apps: create one for the new organization.
    await page.getByTestId('nav-apps').click();
    await page.getByRole('button', { name: '新建应用' }).click();
    await dialog(page).getByLabel('应用名称').fill(appName);
    await dialog(page).getByLabel('所属机构').selectOption({ label: orgName });
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await page.locator(`tr[data-app="${appName}"]`).waitFor();
    assert.equal(
      await page.getByRole('button', { name: `管理密钥 ${appName}` }).count(),
      0,
      'keys are secadmin work',
    );
    await signOut(page);

    // Security administrator: conflicting roles are refused with the API's message.
    await signIn(page, 'security');
    await page.getByTestId('nav-users').click();
    await page.getByLabel('按机构筛选').selectOption({ label: orgName });
    const userRow = page.locator(`tr[data-username="${username}"]`);
    await userRow.getByRole('button', { name: `设置角色 ${username}` }).click();
    await dialog(page).getByLabel('系统管理员').check();
    await dialog(page).getByLabel('审计员').check();
    await dialog(page).getByRole('button', { name: '保存' }).click();
    const refusal = dialog(page).getByTestId('form-error');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /三权分立：系统管理员与审计员不能由同一人担任/);
    await shot(page, '06-roles-refused');
    await dialog(page).getByLabel('系统管理员').uncheck();
    await dialog(page).getByLabel('审计员').uncheck();
    await dialog(page).getByLabel('数据使用者').check();
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await userRow.getByText('数据使用者').waitFor();

    // …and resets the new user's password; the user can sign in with it.
    const newPassword = 'Reset-Passw0rd!2026';
    await userRow.getByRole('button', { name: `重置密码 ${username}` }).click();
    await dialog(page).getByLabel('新密码').fill(newPassword);
    await dialog(page).getByRole('button', { name: '保存' }).click();
    await page.getByTestId('notice').filter({ hasText: '已重置“端到端用户”的密码' }).waitFor();

    // …issues an API key: the secret is shown once, copies to the clipboard and really works.
    await page.getByTestId('nav-apps').click();
    await page.getByRole('button', { name: `管理密钥 ${appName}` }).click();
    await dialog(page).getByLabel('密钥名称').fill(keyName);
    await dialog(page).getByRole('button', { name: '签发密钥' }).click();
    const secretInput = dialog(page).getByTestId('secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    assert.match(secret, /^ghk_/);
    await dialog(page).getByTestId('copy-secret').click();
    await dialog(page).getByText('已复制到剪贴板').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await shot(page, '07-key-secret-once');
    const withKey = await fetch(`${server.url}/api/v1/auth/me`, { headers: { 'x-api-key': secret } });
    assert.equal(withKey.status, 200, 'the shown secret is the key');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: `管理密钥 ${appName}` }).click();
    await dialog(page).locator(`tr[data-key="${keyName}"]`).getByText('有效').waitFor();
    assert.equal(await dialog(page).getByTestId('secret-box').count(), 0, 'never shown again');
    assert.ok(!(await dialog(page).textContent())?.includes(secret));
    await dialog(page)
      .getByRole('button', { name: `吊销 ${keyName}` })
      .click();
    await dialog(page).getByRole('button', { name: '吊销', exact: true }).click();
    await dialog(page).locator(`tr[data-key="${keyName}"]`).getByText('已吊销').waitFor();
    const revoked = await fetch(`${server.url}/api/v1/auth/me`, { headers: { 'x-api-key': secret } });
    assert.equal(revoked.status, 401, 'a revoked key no longer works');
    await shot(page, '08-key-revoked');
    await page.keyboard.press('Escape');
    await signOut(page);
    await signIn(page, username, newPassword);
    await page.getByRole('heading', { name: '您好，端到端用户' }).waitFor();
    await signOut(page);

    // Auditor: only the ledger; the events of this story are there, filtered by type and org.
    await signIn(page, 'auditor');
    await page.getByTestId('nav-ledger-explorer').waitFor();
    assert.equal(await page.getByTestId('nav-users').count(), 0);
    await page.getByTestId('nav-ledger-explorer').click();
    await page.getByTestId('ledger-events').waitFor();
    const query = async (type: string): Promise<void> => {
      await page.getByTestId('filter-type').fill(type);
      await page.getByTestId('ledger-search').click();
    };
    await query('user.created');
    await page.locator('tr[data-type="user.created"]', { hasText: username }).waitFor();
    assert.equal(
      await page.locator('[data-testid="ledger-events"] tbody tr:not([data-type="user.created"])').count(),
      0,
    );
    for (const [type, text] of [
      ['org.created', code],
      ['user.roles.changed', 'consumer'],
      ['key.created', keyName],
      ['key.revoked', ''],
      ['user.password.reset', ''],
    ] as const) {
      await query(type);
      await page.locator(`tr[data-type="${type}"]`, { hasText: text }).first().waitFor();
    }
    await page.getByTestId('filter-org').selectOption({ label: orgName });
    await query('');
    await page.locator('tr[data-type="app.created"]', { hasText: appName }).waitFor();
    await shot(page, '09-auditor-events');

    assert.deepEqual(problems, [], 'no console errors');
  });

  test('switches to English: UI, page language and API error messages; the choice is remembered', async () => {
    const { page, problems } = await newPage();
    await page.goto(server.url);
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { level: 1, name: 'Integrated Government Data Platform' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByTestId('figure-status').textContent(), 'Operational');
    await shot(page, '10-home-en');

    // The API answers in the UI language (Accept-Language), so its messages match.
    await signIn(page, 'admin', 'not-the-password', 'Sign in');
    const error = page.getByTestId('form-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /Wrong username or password/);
    await shot(page, '11-login-error-en');

    await signIn(page, 'admin', DEMO_PASSWORD, 'Sign in');
    await page.waitForURL(`${server.url}/console`);
    await page.reload();
    await page.getByRole('heading', { name: 'Hello, 系统管理员' }).waitFor();
    assert.equal(await page.getByTestId('nav-orgs').textContent(), 'Organizations');
    await page.getByTestId('nav-users').click();
    await page.getByRole('columnheader', { name: 'Last sign-in' }).waitFor();
    await shot(page, '12-console-en');

    // Usable on a 1024 px screen: nothing wider than the window.
    await page.setViewportSize({ width: 1024, height: 768 });
    assert.ok(
      ((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 1024,
      'no horizontal scrolling at 1024 px',
    );
    await shot(page, '13-console-en-1024', false);

    // Keyboard: after a fresh load the skip link is the first stop.
    await page.reload();
    await page.getByRole('columnheader', { name: 'Last sign-in' }).waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate('document.activeElement && document.activeElement.textContent');
    assert.equal(focused, 'Skip to main content');

    await page.getByTestId('lang-switch').click();
    await page.getByRole('columnheader', { name: '最近登录' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });
});
