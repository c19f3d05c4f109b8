import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '../../src/platform/http/error-handler.js';
import { registerRequestContext } from '../../src/platform/http/request-context.js';
import { registerWeb, WEB_ROOT } from '../../src/platform/http/web.js';
import { createTestContext, type TestContext } from '../support/app.js';

/** How the server serves the built web app: caching, fallback, and never swallowing /api. */
describe('serving the web app', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext('embedded');
  });
  after(() => ctx.close());

  test('index.html is never cached and carries a CSP; client routes fall back to it', async () => {
    for (const url of ['/', '/console/users', '/login?returnTo=%2Fconsole']) {
      const res = await ctx.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(res.headers['content-security-policy'] as string, /default-src 'self'/);
      assert.match(res.body, /<div id="app">/);
    }
  });

  test('hashed assets are cached for a year, immutable', async () => {
    const html = (await ctx.inject({ method: 'GET', url: '/' })).body;
    const src = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(src, 'index.html names its entry script');
    const res = await ctx.inject({ method: 'GET', url: src });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('/api/* and /healthz never fall back to the app; traversal stays inside', async () => {
    const api = await ctx.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json<{ error: { code: string } }>().error.code, 'ROUTE_NOT_FOUND');
    const bad = await ctx.inject({ method: 'GET', url: '/%E0%A4%A' });
    assert.ok([400, 404].includes(bad.statusCode), `malformed path: ${bad.statusCode}`);
    const escape = await ctx.inject({ method: 'GET', url: '/..%2f..%2fpackage.json' });
    assert.ok(!escape.body.includes('"devDependencies"'), 'no file outside dist/web');
    assert.ok(fs.existsSync(path.join(WEB_ROOT, 'index.html')));
  });

  test('without a build the paths answer the 404 envelope', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'govhub-noweb-'));
    const app: FastifyInstance = Fastify();
    registerRequestContext(app, 'en');
    registerErrorHandling(app);
    await registerWeb(app, empty);
    const res = await app.inject({ method: 'GET', url: '/console' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'ROUTE_NOT_FOUND');
    await app.close();
    fs.rmSync(empty, { recursive: true });
  });
});
