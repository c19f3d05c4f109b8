import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.js';
import { demoResident } from '../../src/demo/demo-sharing.js';
import { type RunningServer, shot, startWeb, watchConsole } from '../support/web.js';

/**
 * The console's sharing screens in Chromium against `govhub serve --demo`: health.dev (a consumer) asks
 * 公安局 for three items of 人口基础信息 (有条件共享) for one of its apps, from the resource page's request
 * link; psb.approver finds it in the inbox with a working-day countdown and approves with a masking
 * profile; bureau.reviewer approves the bureau step; health.dev sees the grant and its app reads rows
 * through the data API — masked as decided; a refusal with its reason reaches the requester; an
 * objection is reported from the grant and corrected by the provider. One English pass over the inbox
 * and grant pages. Screenshots: test-artifacts/e2e/sharing-*.png.
 */
describe('sharing console (Chromium)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  const stamp = Date.now().toString(36);
  const purpose = `端到端低保核验${stamp}`;
  const refusedPurpose = `端到端统计明细${stamp}`;
  const appName = `健康核验应用${stamp}`;

  before(async () => {
    [server, browser] = await startWeb();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
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

  /** A bearer token for API calls the test makes outside the browser (app and key set-up). */
  async function token(username: string): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { token: string }).token;
  }
  async function apiCall<T>(bearer: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  }

  test('request → inbox with countdown → masked grant read by the app; refusal; objection; English', async () => {
    // health.dev's app and its key, through the API (the Apps page manages the same).
    const devToken = await token('health.dev');
    const me = await apiCall<{ orgId: string }>(devToken, 'GET', '/auth/me');
    const app = await apiCall<{ id: string }>(devToken, 'POST', '/apps', { name: appName, orgId: me.orgId });
    const key = await apiCall<{ secret: string }>(devToken, 'POST', `/apps/${app.id}/keys`, { name: 'e2e' });

    const search = (await (
      await fetch(`${server.url}/api/v1/catalog/search?q=${encodeURIComponent('人口基础信息')}&pageSize=20`)
    ).json()) as { items: Array<{ id: string; name: string; providerName: string; shareType: string }> };
    const population = search.items.find(
      (r) => r.name === '人口基础信息' && r.providerName === '成都市公安局',
    );
    assert.ok(population, 'the demo catalog has 公安局 人口基础信息');
    assert.equal(population.shareType, 'conditional');

    // 1. The consumer starts from the public resource page's request link.
    const dev = await newPage();
    await signIn(dev.page, 'health.dev');
    await dev.page.goto(`${server.url}/catalog/${population.id}`);
    await dev.page.getByTestId('request-link').click();
    await dev.page.waitForURL(/\/console\/sharing\/new\?resource=/);
    await dev.page.getByTestId('rq-resource-人口基础信息').waitFor();

    // A resource on the negative list cannot be added; the reason is shown.
    await dev.page.getByTestId('rq-search').fill('出入境证件信息');
    await dev.page.getByTestId('rq-search-go').click();
    const blocked = dev.page.getByTestId('rq-add-出入境证件信息');
    await blocked.waitFor();
    assert.equal(await blocked.isDisabled(), true);
    assert.equal((await blocked.textContent())?.trim(), '不予共享');

    // Per-field errors from the API: nothing filled in yet.
    await dev.page.getByTestId('rq-submit').click();
    await dev.page.getByTestId('error-purpose').waitFor();
    assert.equal(await dev.page.getByTestId('error-purpose').textContent(), '必填');
    assert.match((await dev.page.getByTestId('form-error').textContent()) ?? '', /\S/);
    await shot(dev.page, 'sharing-01-new-errors');

    await dev.page.locator('#rq-consumer').selectOption({ label: `本单位应用：${appName}` });
    for (const item of ['姓名', '公民身份号码', '性别']) {
      await dev.page.getByTestId(`rq-item-${item}`).check();
    }
    await dev.page.locator('#rq-purpose').fill(purpose);
    await dev.page.locator('#rq-scenario').fill('医疗救助对象身份核验');
    await dev.page.locator('#rq-basis').fill('《社会救助暂行办法》第二十八条');
    await dev.page.locator('#rq-volume').fill('每日约 200 次');
    await shot(dev.page, 'sharing-02-new-filled');
    await dev.page.getByTestId('rq-submit').click();
    await dev.page.waitForURL(/\/console\/sharing\/requests\/[0-9a-f-]+$/);
    await dev.page.getByTestId('detail-status').filter({ hasText: '提供方审核中' }).waitFor();
    assert.match((await dev.page.getByTestId('detail-due').textContent()) ?? '', /^剩余 \d+ 个工作日$/);
    assert.match((await dev.page.getByTestId('request-items').textContent()) ?? '', /公民身份号码/);
    await shot(dev.page, 'sharing-03-request-detail');

    // My requests: status, step, deadline.
    await dev.page.getByTestId('nav-sharing-requests').click();
    const myRow = dev.page.getByTestId(`request-row-${purpose}`);
    await myRow.waitFor();
    assert.match((await myRow.textContent()) ?? '', /提供方审核中.*剩余 \d+ 个工作日/);

    // 2. The provider's approver: inbox with the countdown, approve with a masking profile.
    const approver = await newPage();
    await signIn(approver.page, 'psb.approver');
    await approver.page.getByTestId('nav-sharing-inbox').click();
    const row = approver.page.getByTestId(`inbox-row-${purpose}`);
    await row.waitFor();
    const countdown = (await row.getByTestId('countdown').textContent()) ?? '';
    const api = (await apiCall<Array<{ purpose: string; workingDaysLeft: number }>>(
      await token('psb.approver'),
      'GET',
      '/sharing/requests?status=provider_review',
    ).then((l) => l.find((r) => r.purpose === purpose)))!;
    assert.equal(countdown, `剩余 ${api.workingDaysLeft} 个工作日`);
    assert.ok(
      api.workingDaysLeft >= 8 && api.workingDaysLeft <= 10,
      `10 working days from today (${countdown})`,
    );
    // The demo's overdue-free inbox still lists the demo's own pending requests, soonest first.
    await shot(approver.page, 'sharing-04-inbox');
    await row.getByTestId('inbox-open').click();
    await approver.page.getByTestId('decision-panel').waitFor();
    await approver.page.getByTestId('mask-公民身份号码').selectOption('pseudonym');
    await approver.page.getByTestId('mask-性别').selectOption('clear');
    // 姓名 keeps the level default (important → partial mask by its kind).
    assert.match(
      (await approver.page.getByTestId('mask-姓名').locator('option:checked').textContent()) ?? '',
      /按级别默认：部分遮盖（name）/,
    );
    await shot(approver.page, 'sharing-05-decide');
    await approver.page.getByTestId('decide-submit').click();
    await approver.page.getByTestId('detail-status').filter({ hasText: '数据局复核中' }).waitFor();
    assert.match((await approver.page.getByTestId('timeline').textContent()) ?? '', /提供方审核.*同意/s);

    // The bureau's step.
    const bureau = await newPage();
    await signIn(bureau.page, 'bureau.reviewer');
    await bureau.page.getByTestId('nav-sharing-inbox').click();
    await bureau.page.getByTestId(`inbox-row-${purpose}`).getByTestId('inbox-open').click();
    await bureau.page.getByTestId('decision-panel').waitFor();
    await bureau.page.getByTestId('decide-submit').click();
    await bureau.page.getByTestId('detail-status').filter({ hasText: '已同意' }).waitFor();
    await bureau.page.getByTestId('grant-link').waitFor();
    await shot(bureau.page, 'sharing-06-approved');

    // The bureau also coordinates: the demo's refused request whose requester asked for coordination.
    await bureau.page.getByTestId('nav-sharing-inbox').click();
    const coord = bureau.page.getByTestId('inbox-row-医保参保登记：核验参保人户籍');
    assert.match((await coord.textContent()) ?? '', /待数据局协调/);
    await coord.getByRole('link', { name: '协调' }).click();
    await bureau.page.getByRole('heading', { name: '协调意见' }).waitFor();
    await bureau.page.getByTestId('choice-refuse').check();
    await bureau.page.getByTestId('decide-reason').fill('已有医保身份核验渠道，维持原决定');
    await bureau.page.getByTestId('decide-submit').click();
    await bureau.page.getByTestId('detail-status').filter({ hasText: '协调维持原决定' }).waitFor();
    assert.match((await bureau.page.getByTestId('timeline').textContent()) ?? '', /数据局协调.*维持原决定/s);

    // 3. The consumer sees the grant, its masking and the API example.
    await dev.page.getByTestId('nav-sharing-grants').click();
    await dev.page.getByTestId(`grant-row-${purpose}`).getByRole('link').click();
    await dev.page.getByTestId('grant-status').filter({ hasText: '有效' }).waitFor();
    const grantId = ((await dev.page.getByTestId('grant-id').textContent()) ?? '').trim();
    assert.match(grantId, /^[0-9a-f-]{36}$/);
    const items = (await dev.page.getByTestId('grant-items').textContent()) ?? '';
    assert.match(items, /公民身份号码.*假名化/s);
    assert.match(items, /性别.*明文（不脱敏）/s);
    assert.match(items, /姓名.*按级别默认：部分遮盖（name）/s);
    assert.match(
      (await dev.page.getByTestId('grant-curl').textContent()) ?? '',
      new RegExp(`/api/v1/data/grants/${grantId}/rows`),
    );
    await dev.page.getByTestId('apps-link').waitFor();
    await shot(dev.page, 'sharing-07-grant');

    // The app reads rows with its key, filtered on the clear item: the masked items are masked, the clear
    // one is not and matches the filter.
    const filter = encodeURIComponent(JSON.stringify({ eq: ['性别', '女'] }));
    const res = await fetch(`${server.url}/api/v1/data/grants/${grantId}/rows?limit=20&filter=${filter}`, {
      headers: { 'x-api-key': key.secret },
    });
    assert.equal(res.status, 200);
    const page1 = (await res.json()) as { rows: Array<Record<string, string>> };
    assert.ok(page1.rows.length > 0);
    for (const r of page1.rows) {
      assert.deepEqual(Object.keys(r).sort(), ['公民身份号码', '姓名', '性别'].sort());
      assert.match(r['姓名']!, /^\p{Script=Han}\*+$/u, `name masked: ${r['姓名']}`);
      assert.match(
        r['公民身份号码']!,
        /^[a-z0-9]+:[0-9a-f]{64}$/,
        `ID number pseudonymised: ${r['公民身份号码']}`,
      );
      assert.equal(r['性别'], '女');
    }
    // Any other caller of the same organization is refused: the grant is for this app only.
    const other = await fetch(`${server.url}/api/v1/data/grants/${grantId}/rows`, {
      headers: { authorization: `Bearer ${devToken}` },
    });
    assert.equal(other.status, 403);

    // 4. Objection from the grant: record key + item + what is wrong; the provider corrects it.
    const resident = demoResident(3);
    await dev.page.getByTestId('obj-item-姓名').check();
    await dev.page.locator('#obj-keys').fill(resident['公民身份号码']!);
    await dev.page.locator('#obj-desc').fill(`姓名有误（${stamp}）`);
    await dev.page.getByTestId('obj-submit').click();
    await dev.page.waitForURL(/\/console\/sharing\/objections/);
    const objRow = dev.page.getByTestId(`objection-row-姓名有误（${stamp}）`);
    await objRow.getByTestId('objection-status').filter({ hasText: '已提出' }).waitFor();
    assert.match((await objRow.textContent()) ?? '', /剩余 \d+ 个工作日/);
    await shot(dev.page, 'sharing-08-objection-reported');

    await approver.page.getByTestId('nav-sharing-inbox').click();
    await approver.page
      .getByTestId('inbox-objections')
      .getByRole('link', { name: '核实处理' })
      .first()
      .waitFor();
    await approver.page.getByTestId('nav-sharing-objections').click();
    await approver.page
      .getByTestId(`objection-row-姓名有误（${stamp}）`)
      .getByTestId('objection-open')
      .click();
    await approver.page.getByTestId('resolve-panel').waitFor();
    await approver.page.getByTestId('obj-new-姓名').fill('张伟四');
    await shot(approver.page, 'sharing-09-objection-resolve');
    await approver.page.getByTestId('obj-resolve-submit').click();
    await approver.page
      .getByTestId(`objection-row-姓名有误（${stamp}）`)
      .getByTestId('objection-status')
      .filter({ hasText: '已办结' })
      .waitFor();
    await dev.page.reload();
    await objRow.getByTestId('objection-corrections').filter({ hasText: '已更正 1 处' }).waitFor();
    // The reporter reads what was changed: record, item and the new value.
    await objRow.getByTestId('objection-corrections').locator('summary').click();
    await objRow
      .getByTestId('objection-correction')
      .filter({ hasText: '姓名' })
      .filter({ hasText: '张伟四' })
      .waitFor();

    // 5. A refusal with its reason reaches the requester, who may ask the bureau to coordinate.
    await apiCall(devToken, 'POST', '/sharing/requests', {
      resources: [{ resource: population.id, items: ['姓名', '出生日期'] }],
      purpose: refusedPurpose,
      scenario: '统计分析',
      legalBasis: '内部需要',
      modes: ['read'],
      validTo: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    });
    await approver.page.getByTestId('nav-sharing-inbox').click();
    await approver.page.getByTestId(`inbox-row-${refusedPurpose}`).getByTestId('inbox-open').click();
    await approver.page.getByTestId('choice-refuse').check();
    await approver.page.getByTestId('decide-submit').click();
    await approver.page.getByTestId('error-reason').waitFor();
    assert.equal(await approver.page.getByTestId('error-reason').textContent(), '须填写理由');
    const reason = '统计用途应使用统计局汇总数据，不需要个人明细';
    await approver.page.getByTestId('decide-reason').fill(reason);
    await approver.page.getByTestId('decide-submit').click();
    await approver.page.getByTestId('detail-status').filter({ hasText: '不予共享' }).waitFor();

    await dev.page.getByTestId('nav-sharing-requests').click();
    await dev.page.getByTestId(`request-row-${refusedPurpose}`).getByRole('link').click();
    await dev.page.getByTestId('refusal').filter({ hasText: reason }).waitFor();
    await dev.page.getByTestId('ask-coordination').waitFor();
    await shot(dev.page, 'sharing-10-refused');

    // 6. English: the inbox and the grant page.
    await approver.page.getByTestId('nav-sharing-inbox').click();
    await approver.page.getByTestId('inbox').waitFor();
    await approver.page.getByTestId('lang-switch').click();
    await approver.page.getByRole('heading', { name: 'Approval inbox' }).waitFor();
    assert.match(
      (await approver.page.getByTestId('inbox').getByTestId('countdown').first().textContent()) ?? '',
      /^(\d+ working days left|Due today|Overdue( by \d+ working days)?)$/,
    );
    await shot(approver.page, 'sharing-11-inbox-en');
    await approver.page.goto(`${server.url}/console/sharing/grants/${grantId}`);
    await approver.page.getByRole('heading', { name: 'Items and masking' }).waitFor();
    assert.match((await approver.page.getByTestId('grant-items').textContent()) ?? '', /Pseudonym/);
    await approver.page.getByTestId('grant-actions').waitFor();
    await shot(approver.page, 'sharing-12-grant-en');

    // The provider suspends the grant: the app's next call is refused at once; resuming lets it through.
    const rows = () =>
      fetch(`${server.url}/api/v1/data/grants/${grantId}/rows?limit=1`, {
        headers: { 'x-api-key': key.secret },
      });
    await approver.page.getByTestId('grant-suspend').click();
    await approver.page.getByText('A reason is required').waitFor();
    await approver.page.locator('#gr-reason').fill('数据核对期间暂停');
    await approver.page.getByTestId('grant-suspend').click();
    await approver.page.getByTestId('grant-status').filter({ hasText: 'Suspended' }).waitFor();
    await approver.page.getByTestId('grant-reason').filter({ hasText: '数据核对期间暂停' }).waitFor();
    const suspended = await rows();
    assert.equal(suspended.status, 403);
    assert.equal(((await suspended.json()) as { error: { code: string } }).error.code, 'GRANT_SUSPENDED');
    await approver.page.getByTestId('grant-resume').click();
    await approver.page.getByTestId('grant-status').filter({ hasText: 'Active' }).waitFor();
    assert.equal((await rows()).status, 200);
    await approver.page.getByTestId('lang-switch').click();

    assert.deepEqual(dev.problems, []);
    assert.deepEqual(approver.problems, []);
    assert.deepEqual(bureau.problems, []);
  });
});
