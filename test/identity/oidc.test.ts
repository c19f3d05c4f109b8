import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import {
  Browser,
  signInAtProvider,
  startOidcProvider,
  type TestOidcProvider,
} from '../support/oidc-provider.js';

/**
 * End-to-end single sign-on: govhub (driven with app.inject) against a real OpenID Connect provider
 * (oidc-provider on a random local port), through authorization code + PKCE, login and consent.
 */

// What the provider redirects the browser back to: govhub behind TLS at its public address.
const REDIRECT_URI = 'https://govhub.example.test/api/v1/auth/oidc/callback';

interface ErrorEnvelope {
  error: { code: string; message: string };
  requestId: string;
}

function assertError(res: { statusCode: number; json<T>(): T }, status: number, code: string) {
  assert.equal(res.statusCode, status);
  const body = res.json<ErrorEnvelope>();
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.equal(typeof body.requestId, 'string');
}

for (const kind of storageKinds()) {
  describe(`OIDC sign-in on ${kind}`, () => {
    let op: TestOidcProvider;
    let ctx: TestContext;

    before(async () => {
      op = await startOidcProvider({ redirectUri: REDIRECT_URI });
      ctx = await createTestContext(kind, {
        oidc: {
          issuer: op.issuer,
          clientId: op.clientId,
          clientSecret: op.clientSecret,
          redirectUri: REDIRECT_URI,
          usernameClaim: 'preferred_username',
          scope: 'openid profile',
          allowHttp: true,
        },
      });
    });
    after(async () => {
      await ctx?.close();
      await op?.close();
    });

    /** GET /oidc/login, sign in at the provider as accountId, and inject the provider's redirect back. */
    async function ssoLogin(accountId: string, returnTo = '/catalog?tab=mine') {
      const start = await ctx.inject({
        method: 'GET',
        url: `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`,
      });
      assert.equal(start.statusCode, 302, start.body);
      const authUrl = new URL(String(start.headers.location));
      const back = await signInAtProvider(new Browser(), authUrl.href, accountId, REDIRECT_URI);
      const callback = await ctx.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
      return { authUrl, back, callback };
    }

    function sessionCookie(res: { cookies: Array<{ name: string; value: string; httpOnly?: boolean }> }) {
      return res.cookies.find((c) => c.name === 'govhub_session');
    }

    async function me(token: string) {
      const res = await ctx.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        cookies: { govhub_session: token },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ kind: string; id: string; user: { id: string; username: string; sso: boolean } }>();
    }

    test('signs an existing govhub user in through the provider and links the subject', async () => {
      const org = await ctx.newOrg();
      const user = await ctx.newUser(org.id, ['consumer']);
      op.accounts.set('acct-1', { sub: 'acct-1', preferred_username: user.username, name: '张三' });

      const seen = op.requests.length;
      const { authUrl, back, callback } = await ssoLogin('acct-1');
      assert.equal(`${authUrl.origin}${authUrl.pathname}`, `${op.issuer}/auth`);
      assert.equal(authUrl.searchParams.get('client_id'), op.clientId);
      assert.equal(authUrl.searchParams.get('redirect_uri'), REDIRECT_URI);
      assert.equal(authUrl.searchParams.get('response_type'), 'code');
      assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.match(authUrl.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
      assert.ok(authUrl.searchParams.get('state'));
      assert.ok(authUrl.searchParams.get('nonce'));
      assert.equal(back.searchParams.get('state'), authUrl.searchParams.get('state'));
      assert.ok(back.searchParams.get('code'));

      assert.equal(callback.statusCode, 302, callback.body);
      assert.equal(callback.headers.location, '/catalog?tab=mine');
      const cookie = sessionCookie(callback);
      assert.ok(cookie, 'govhub_session cookie set');
      assert.equal(cookie.httpOnly, true);

      const who = await me(cookie.value);
      assert.equal(who.kind, 'user');
      assert.equal(who.id, user.id);
      assert.equal(who.user.username, user.username);
      assert.equal(who.user.sso, true);
      // The provider keeps preferred_username out of the ID token (as the spec has it): found via UserInfo.
      assert.ok(op.requests.slice(seen).includes('GET /me'), 'UserInfo consulted');

      // The same provider redirect cannot be replayed: its state was used up.
      const replay = await ctx.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
      assertError(replay, 401, 'OIDC_STATE_INVALID');
    });

    test('a later sign-in finds the account by subject even after a rename at the provider', async () => {
      const org = await ctx.newOrg();
      const user = await ctx.newUser(org.id);
      const other = await ctx.newUser(org.id);
      op.accounts.set('acct-2', { sub: 'acct-2', preferred_username: user.username });
      // returnTo must be a local path: anything else lands on the home page.
      const first = await ssoLogin('acct-2', '//evil.example/phish');
      assert.equal(first.callback.statusCode, 302, first.callback.body);
      assert.equal(first.callback.headers.location, '/');

      // Renamed to another govhub user's name: the subject link wins, no takeover of `other`.
      op.accounts.set('acct-2', { sub: 'acct-2', preferred_username: other.username });
      const second = await ssoLogin('acct-2');
      assert.equal(second.callback.statusCode, 302, second.callback.body);
      const cookie = sessionCookie(second.callback);
      assert.ok(cookie);
      const who = await me(cookie.value);
      assert.equal(who.id, user.id);
      assert.equal(who.user.sso, true);

      // And `other` stays unlinked and signs in by password as before.
      const otherUser = await ctx.services.users.get(SYSTEM, other.id);
      assert.equal(otherUser.sso, false);
    });

    test('an identity whose username has no govhub account is refused', async () => {
      op.accounts.set('acct-3', { sub: 'acct-3', preferred_username: `nobody${Date.now()}` });
      const { callback } = await ssoLogin('acct-3');
      assertError(callback, 403, 'OIDC_NO_ACCOUNT');
      assert.equal(sessionCookie(callback), undefined);
    });

    test('an unknown state is refused before any token exchange', async () => {
      const res = await ctx.inject({
        method: 'GET',
        url: '/api/v1/auth/oidc/callback?code=forged&state=not-a-real-state',
      });
      assertError(res, 401, 'OIDC_STATE_INVALID');
      const missing = await ctx.inject({ method: 'GET', url: '/api/v1/auth/oidc/callback?code=forged' });
      assertError(missing, 401, 'OIDC_STATE_INVALID');
    });
  });
}

describe('OIDC sign-in with profile claims in the ID token', () => {
  let op: TestOidcProvider;
  let ctx: TestContext;
  before(async () => {
    op = await startOidcProvider({ redirectUri: REDIRECT_URI, profileInIdToken: true });
    ctx = await createTestContext('embedded', {
      oidc: {
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        redirectUri: REDIRECT_URI,
        usernameClaim: 'preferred_username',
        scope: 'openid profile',
        allowHttp: true,
      },
    });
  });
  after(async () => {
    await ctx?.close();
    await op?.close();
  });

  test('links by the ID token claim without a UserInfo call', async () => {
    const org = await ctx.newOrg();
    const user = await ctx.newUser(org.id);
    op.accounts.set('acct-9', { sub: 'acct-9', preferred_username: user.username });
    const start = await ctx.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' });
    assert.equal(start.statusCode, 302, start.body);
    const back = await signInAtProvider(
      new Browser(),
      String(start.headers.location),
      'acct-9',
      REDIRECT_URI,
    );
    const callback = await ctx.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    assert.equal(callback.statusCode, 302, callback.body);
    assert.equal(callback.headers.location, '/');
    const token = callback.cookies.find((c) => c.name === 'govhub_session')?.value;
    assert.ok(token);
    const me = await ctx.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { govhub_session: token },
    });
    assert.equal(me.json<{ id: string }>().id, user.id);
    assert.ok(!op.requests.includes('GET /me'), 'UserInfo not needed');
  });
});

describe('OIDC sign-in when not configured', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext('embedded', { oidc: undefined });
  });
  after(() => ctx?.close());

  test('login and callback answer 404 OIDC_DISABLED', async () => {
    assertError(await ctx.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' }), 404, 'OIDC_DISABLED');
    assertError(
      await ctx.inject({ method: 'GET', url: '/api/v1/auth/oidc/callback?state=x&code=y' }),
      404,
      'OIDC_DISABLED',
    );
    const config = await ctx.inject({ method: 'GET', url: '/api/v1/auth/config' });
    assert.deepEqual(config.json(), { password: true, oidc: false });
  });
});
