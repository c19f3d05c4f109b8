import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, PASSWORD, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

type Envelope = { error: { code: string; message: string; details?: unknown }; requestId: string };

function assertEnvelope(
  res: { statusCode: number; body: string; json<T>(): T },
  status: number,
  code: string,
): Envelope {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<Envelope>();
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.ok(body.requestId.length > 0);
  assert.doesNotMatch(res.body, /\n\s+at /, 'no stack trace');
  return body;
}

for (const kind of storageKinds()) {
  describe(`HTTP API on ${kind}`, () => {
    let ctx: TestContext;
    let adminHeaders: Record<string, string>;
    let orgId: string;

    before(async () => {
      ctx = await createTestContext(kind, { bodyLimitBytes: 4096 });
      orgId = (await ctx.newOrg('data_bureau')).id;
      const admin = await ctx.newUser(orgId, ['sysadmin']);
      adminHeaders = await ctx.bearer(admin.username);
    });
    after(() => ctx.close());

    test('bad input gets a 4xx envelope naming what was wrong, never a 500', async () => {
      const post = (payload: string, headers: Record<string, string> = {}) =>
        ctx.inject({
          method: 'POST',
          url: '/api/v1/orgs',
          headers: { ...adminHeaders, 'content-type': 'application/json', ...headers },
          payload,
        });
      assertEnvelope(await post('{"code": "x",'), 400, 'MALFORMED_JSON');
      const wrongType = assertEnvelope(
        await post(JSON.stringify({ code: 'x', name: 5, kind: 'department' })),
        400,
        'VALIDATION_FAILED',
      );
      assert.match(JSON.stringify(wrongType.error.details), /name/);
      const unknown = assertEnvelope(
        await post(JSON.stringify({ code: 'x', name: 'n', kind: 'department', colour: 'red' })),
        400,
        'VALIDATION_FAILED',
      );
      assert.match(JSON.stringify(unknown.error.details), /colour/);
      const badEnum = assertEnvelope(
        await post(JSON.stringify({ code: 'x', name: 'n', kind: 'ministry' })),
        400,
        'VALIDATION_FAILED',
      );
      assert.match(JSON.stringify(badEnum.error.details), /kind/);
      assertEnvelope(
        await post(JSON.stringify({ code: 'x', name: 'n'.repeat(5000), kind: 'department' })),
        413,
        'BODY_TOO_LARGE',
      );
      assertEnvelope(
        await post('code=x', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assertEnvelope(
        await ctx.inject({ method: 'GET', url: '/api/v1/ledger/events?limit=abc', headers: adminHeaders }),
        400,
        'VALIDATION_FAILED',
      );
      assertEnvelope(
        await ctx.inject({ method: 'GET', url: '/api/v1/users?colour=red', headers: adminHeaders }),
        400,
        'VALIDATION_FAILED',
      );
      assertEnvelope(
        await ctx.inject({ method: 'GET', url: '/api/v1/nothing-here' }),
        404,
        'ROUTE_NOT_FOUND',
      );
      assertEnvelope(
        await ctx.inject({ method: 'GET', url: '/api/v1/orgs/does-not-exist', headers: adminHeaders }),
        404,
        'ORG_NOT_FOUND',
      );
      // Nothing half-written: none of the refused creates left an organization behind.
      const orgs = await ctx.services.orgs.list(SYSTEM);
      assert.ok(!orgs.some((o) => o.code === 'x'));
    });

    test('a wrong password and an unknown user look the same from outside', async () => {
      const user = await ctx.newUser(orgId);
      const wrong = await ctx.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user.username, password: 'Wrong@Pass1' },
      });
      const unknown = await ctx.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: `ghost${Date.now()}`, password: 'Wrong@Pass1' },
      });
      const a = assertEnvelope(wrong, 401, 'AUTH_INVALID_CREDENTIALS');
      const b = assertEnvelope(unknown, 401, 'AUTH_INVALID_CREDENTIALS');
      assert.equal(a.error.message, b.error.message);
      assert.deepEqual(Object.keys(wrong.headers).sort(), Object.keys(unknown.headers).sort());
    });

    test('/auth/me lists catalog review only for approvers of the data bureau, as the service enforces', async () => {
      const bureau = await ctx.newOrg('data_bureau');
      const dept = await ctx.newOrg('department');
      const permissionsOf = async (org: string) => {
        const user = await ctx.newUser(org, ['approver']);
        const login = await ctx.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { username: user.username, password: PASSWORD },
        });
        const { token } = login.json<{ token: string }>();
        const me = await ctx.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
        return me.json<{ permissions: string[] }>().permissions;
      };
      const atBureau = await permissionsOf(bureau.id);
      const atDept = await permissionsOf(dept.id);
      assert.ok(atBureau.includes('catalog.review'), atBureau.join());
      assert.ok(!atDept.includes('catalog.review'), atDept.join());
      assert.ok(atDept.includes('share.decide'), 'the department approver still decides share requests');
    });

    test('cookie sessions are HttpOnly and SameSite, and unsafe requests need the CSRF token', async () => {
      const user = await ctx.newUser(orgId, ['sysadmin']);
      const login = await ctx.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user.username, password: PASSWORD },
      });
      assert.equal(login.statusCode, 200, login.body);
      const setCookie = String(login.headers['set-cookie']);
      assert.match(setCookie, /govhub_session=/);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Lax/i);
      const cookie = setCookie.split(';')[0] as string;
      const { csrfToken } = login.json<{ csrfToken: string }>();
      const me = await ctx.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json<{ user: { username: string } }>().user.username, user.username);
      const payload = { code: `c${Date.now()}`, name: '跨站测试', kind: 'department' };
      assertEnvelope(
        await ctx.inject({ method: 'POST', url: '/api/v1/orgs', headers: { cookie }, payload }),
        403,
        'CSRF_TOKEN_INVALID',
      );
      const ok = await ctx.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { cookie, 'x-csrf-token': csrfToken },
        payload,
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const out = await ctx.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie, 'x-csrf-token': csrfToken },
      });
      assert.equal(out.statusCode, 204);
      assertEnvelope(
        await ctx.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } }),
        401,
        'UNAUTHENTICATED',
      );
    });

    test('presented but invalid credentials are refused, not treated as anonymous', async () => {
      assertEnvelope(
        await ctx.inject({
          method: 'GET',
          url: '/api/v1/orgs',
          headers: { authorization: 'Bearer nonsense' },
        }),
        401,
        'AUTH_INVALID_TOKEN',
      );
      assertEnvelope(
        await ctx.inject({
          method: 'GET',
          url: '/api/v1/orgs',
          headers: { 'x-api-key': 'ghk_AAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
        }),
        401,
        'AUTH_INVALID_API_KEY',
      );
    });

    test('request ids are echoed or generated, and messages follow the caller’s language', async () => {
      const echoed = await ctx.inject({
        method: 'GET',
        url: '/api/v1/orgs',
        headers: { 'x-request-id': 'trace-123' },
      });
      assert.equal(echoed.headers['x-request-id'], 'trace-123');
      assert.equal(echoed.json<Envelope>().requestId, 'trace-123');
      const generated = await ctx.inject({
        method: 'GET',
        url: '/api/v1/orgs',
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      assert.notEqual(generated.headers['x-request-id'], 'bad id with spaces');
      const zh = await ctx.inject({
        method: 'GET',
        url: '/api/v1/orgs',
        headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
      });
      assert.match(zh.json<Envelope>().error.message, /登录/);
      const en = await ctx.inject({ method: 'GET', url: '/api/v1/orgs?lang=en' });
      assert.match(en.json<Envelope>().error.message, /Sign in/);
    });

    test('health and Prometheus metrics', async () => {
      const health = await ctx.inject({ method: 'GET', url: '/healthz' });
      assert.deepEqual(health.json(), {
        status: 'ok',
        storage: kind,
        version: health.json<{ version: string }>().version,
      });
      const metrics = await ctx.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /govhub_http_request_duration_seconds_bucket\{/);
      assert.match(metrics.body, /govhub_process_resident_memory_bytes/);
    });

    test('rate limits per IP for anonymous callers and per key for apps', async () => {
      const limited = await buildApp(
        {
          ...ctx.services,
          config: {
            ...ctx.services.config,
            rateLimit: { perIpPerMinute: 3, perKeyPerMinute: 5, failedCredentialsPerIpPerMinute: 1e9 },
          },
        },
        { logger: false },
      );
      try {
        const codes: number[] = [];
        for (let i = 0; i < 4; i++) {
          codes.push((await limited.inject({ method: 'GET', url: '/api/v1/auth/config' })).statusCode);
        }
        assert.deepEqual(codes, [200, 200, 200, 429]);
        const res = await limited.inject({ method: 'GET', url: '/api/v1/auth/config' });
        assertEnvelope(res, 429, 'RATE_LIMITED');
        const app = await ctx.services.apps.create(SYSTEM, { name: `rl${Date.now()}`, orgId });
        const { secret } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 'rl' });
        const keyCodes: number[] = [];
        for (let i = 0; i < 6; i++) {
          keyCodes.push(
            (await limited.inject({ method: 'GET', url: '/api/v1/orgs', headers: { 'x-api-key': secret } }))
              .statusCode,
          );
        }
        assert.deepEqual(keyCodes, [200, 200, 200, 200, 200, 429]);
      } finally {
        await limited.close();
      }
    });

    test('an address that keeps presenting invalid keys or tokens is refused without a lookup', async () => {
      const guarded = await buildApp(
        {
          ...ctx.services,
          config: {
            ...ctx.services.config,
            rateLimit: { perIpPerMinute: 1e9, perKeyPerMinute: 1e9, failedCredentialsPerIpPerMinute: 3 },
          },
        },
        { logger: false },
      );
      try {
        const app = await ctx.services.apps.create(SYSTEM, { name: `bad${Date.now()}`, orgId });
        const { secret } = await ctx.services.apps.createKey(SYSTEM, app.id, { name: 'good' });
        const call = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
          guarded.inject({ method: 'GET', url: '/api/v1/orgs', headers, remoteAddress });
        const codes: number[] = [];
        const attempts: Array<Record<string, string>> = [
          { 'x-api-key': 'ghk_nope1' },
          { authorization: 'Bearer not-a-token' },
          { 'x-api-key': 'ghk_nope2' },
        ];
        for (const h of attempts) {
          codes.push((await call(h)).statusCode);
        }
        assert.deepEqual(codes, [401, 401, 401]);
        // The fourth try from that address is refused before any key is looked up, even a valid one…
        const blocked = await call({ 'x-api-key': secret });
        assertEnvelope(blocked, 429, 'AUTH_TOO_MANY_FAILURES');
        assert.match(blocked.json<{ error: { message: string } }>().error.message, /\d+ s/);
        // …while another address with the same valid key is served.
        assert.equal((await call({ 'x-api-key': secret }, '10.0.0.9')).statusCode, 200);
      } finally {
        await guarded.close();
      }
    });

    test('logs never contain passwords, tokens or API keys', async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      });
      const logged = await buildApp(ctx.services, { logger: { level: 'trace', stream } });
      try {
        const user = await ctx.newUser(orgId, ['sysadmin']);
        const login = await logged.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { username: user.username, password: PASSWORD },
        });
        const { token } = login.json<{ token: string }>();
        await logged.inject({
          method: 'GET',
          url: '/api/v1/orgs',
          headers: { authorization: `Bearer ${token}` },
        });
        const app = await ctx.services.apps.create(SYSTEM, { name: `log${Date.now()}`, orgId });
        const created = await logged.inject({
          method: 'POST',
          url: `/api/v1/apps/${app.id}/keys`,
          headers: { authorization: `Bearer ${token}` },
          payload: { name: 'k' },
        });
        const all = lines.join('');
        assert.ok(lines.length > 0);
        assert.ok(!all.includes(PASSWORD), 'password leaked into logs');
        assert.ok(!all.includes(token), 'token leaked into logs');
        void created;
      } finally {
        await logged.close();
      }
    });
  });
}
