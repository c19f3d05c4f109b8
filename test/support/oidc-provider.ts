import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID Connect provider for end-to-end sign-in tests: `oidc-provider` on 127.0.0.1 with a
 * random port, one confidential client, accounts the test controls, and a minimal interaction API of
 * our own in place of the HTML dev interactions:
 *
 *   GET  /interaction/:uid          → 200 JSON { uid, prompt, details }
 *   POST /interaction/:uid/login    → form `account=<accountId>`; 303 back into the provider
 *   POST /interaction/:uid/confirm  → grants what the consent prompt asks for; 303 back
 *
 * Everything else is the provider's own Koa app.
 */

/** Claims of one account at the provider; `sub` is the account id. */
export type AccountClaims = { sub: string } & Record<string, unknown>;

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Accounts by id; edit freely between sign-ins (e.g. rename at the provider). */
  accounts: Map<string, AccountClaims>;
  /** `METHOD /path` of every request the provider received, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

// oidc-provider ships no type declarations: the few parts used here, typed by hand.
interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
interface Provider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  };
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => Provider;

async function loadProvider(): Promise<ProviderClass> {
  const specifier: string = 'oidc-provider';
  const mod = (await import(specifier)) as { default: ProviderClass };
  return mod.default;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startOidcProvider(opts: {
  redirectUri: string;
  /**
   * Put scope claims (preferred_username…) in ID tokens from the token endpoint too, as Keycloak and
   * many others do. Off by default, as the spec has it: they are then only in UserInfo.
   */
  profileInIdToken?: boolean;
}): Promise<TestOidcProvider> {
  const Provider = await loadProvider();
  const accounts = new Map<string, AccountClaims>();
  const requests: string[] = [];
  const clientId = 'govhub-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    use: 'sig',
    alg: 'RS256',
    kid: 'test-rs256',
  };

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        // openid-client v6 authenticates with client_secret_post when given a bare secret.
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    conformIdTokenClaims: !opts.profileInIdToken,
    clientBasedCORS: () => false,
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) {
        return undefined;
      }
      return { accountId: sub, claims: async () => ({ ...accounts.get(sub), sub }) };
    },
  });
  const handleProvider = provider.callback();

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      throw new Error(`interaction ${uid} does not match the cookie's ${details.uid}`);
    }
    const { prompt } = details;
    if (req.method === 'GET' && action === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ uid, prompt: prompt.name, details: prompt.details }));
      return;
    }
    if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
      const accountId = (await readForm(req)).get('account') ?? '';
      if (!accounts.has(accountId)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown account');
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (req.method === 'POST' && action === 'confirm' && prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      if (!accountId) {
        throw new Error('consent without a signed-in account');
      }
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) {
        grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      }
      if (missing.missingOIDCClaims) {
        grant.addOIDCClaims(missing.missingOIDCClaims);
      }
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    res
      .writeHead(400, { 'content-type': 'text/plain' })
      .end(`cannot ${req.method} ${action} at prompt ${prompt.name}`);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const match = /^\/interaction\/([^/?]+)(?:\/(login|confirm))?(?:\?.*)?$/.exec(req.url ?? '');
    if (!match) {
      handleProvider(req, res);
      return;
    }
    interaction(req, res, match[1] ?? '', match[2]).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end(String(err));
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    redirectUri: opts.redirectUri,
    accounts,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * A minimal browser for one origin-keyed cookie jar: fetch without following redirects, remembering
 * the cookies each host sets (expired ones are forgotten) and sending them back to that host.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = this.jar.get(target.host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        return (
          (k.toLowerCase() === 'max-age' && Number(v) <= 0) ||
          (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now())
        );
      });
      if (expired) {
        cookies.delete(name);
      } else {
        cookies.set(name, value);
      }
    }
    this.jar.set(target.host, cookies);
    return res;
  }
}

/**
 * Drives the provider side of a sign-in as `accountId`, from the authorization URL the relying party
 * redirected to, through the login and consent interactions, and returns the redirect back to the
 * relying party (its redirect URI carrying `code`, `state` and `iss`).
 */
export async function signInAtProvider(
  browser: Browser,
  authorizationUrl: string,
  accountId: string,
  redirectUri: string,
): Promise<URL> {
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 20; hop++) {
    if (`${url.origin}${url.pathname}` === redirectUri) {
      return url;
    }
    const res = await browser.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') ?? '', url);
      continue;
    }
    if (res.status !== 200 || !url.pathname.startsWith('/interaction/')) {
      throw new Error(`provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
    }
    const { prompt } = (await res.json()) as { prompt: string };
    const action = prompt === 'login' ? 'login' : prompt === 'consent' ? 'confirm' : undefined;
    if (!action) {
      throw new Error(`unexpected interaction prompt ${prompt}`);
    }
    const submitted = await browser.fetch(new URL(`${url.pathname}/${action}`, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(action === 'login' ? { account: accountId } : {}).toString(),
    });
    if (submitted.status !== 303) {
      throw new Error(`${action} answered ${submitted.status}: ${await submitted.text()}`);
    }
    url = new URL(submitted.headers.get('location') ?? '', url);
  }
  throw new Error('too many redirects at the provider');
}
