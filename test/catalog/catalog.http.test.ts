import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResourceDto, SearchResultDto } from '../../src/contracts/catalog.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';

/** The catalog over HTTP against the seeded demo city (about 200 published resources). */
for (const kind of storageKinds()) {
  describe(`catalog HTTP on ${kind} with the demo city`, () => {
    let ctx: TestContext;
    let seconds = 0;
    before(async () => {
      ctx = await createTestContext(kind);
      const t0 = Date.now();
      await ctx.services.demo.seed();
      seconds = (Date.now() - t0) / 1000;
    });
    after(() => ctx.close());

    test('the demo city has about 200 published resources across its departments', async () => {
      const res = await ctx.inject({ method: 'GET', url: '/api/v1/catalog/search?pageSize=1' });
      const body = res.json<SearchResultDto>();
      assert.equal(res.statusCode, 200);
      assert.ok(body.total >= 180 && body.total <= 220, `total ${body.total} (seeded in ${seconds}s)`);
      assert.ok((body.facets.provider ?? []).length >= 12);
      assert.deepEqual((body.facets.shareType ?? []).map((b) => b.value).sort(), [
        'conditional',
        'none',
        'unconditional',
      ]);
    });

    test('anonymous Chinese search: 户籍 inside longer names, facets, sorting and paging', async () => {
      const q = encodeURIComponent('户籍');
      const res = await ctx.inject({ method: 'GET', url: `/api/v1/catalog/search?q=${q}&pageSize=50` });
      const body = res.json<SearchResultDto>();
      assert.equal(res.statusCode, 200);
      const names = body.items.map((i) => i.name);
      assert.ok(names.includes('人口户籍信息'), names.join(','));
      assert.ok(names.includes('户籍迁入信息'));
      // names rank above item-only matches
      assert.ok(names.indexOf('人口户籍信息') < names.indexOf('随迁子女入学信息'));
      const p2 = (
        await ctx.inject({ method: 'GET', url: `/api/v1/catalog/search?q=${q}&pageSize=2&page=2&sort=name` })
      ).json<SearchResultDto>();
      assert.equal(p2.items.length, 2);
      assert.equal(p2.total, body.total);
      const share = (
        await ctx.inject({
          method: 'GET',
          url: `/api/v1/catalog/search?q=${encodeURIComponent('企业')}&shareType=unconditional`,
        })
      ).json<SearchResultDto>();
      assert.ok(share.total > 0 && share.items.every((i) => i.shareType === 'unconditional'));
      const one = await ctx.inject({
        method: 'GET',
        url: `/api/v1/catalog/resources/${encodeURIComponent(body.items[0]!.code)}`,
      });
      assert.equal(one.statusCode, 200);
      assert.ok(one.json<ResourceDto>().items.length > 0);
      const ld = await ctx.inject({ method: 'GET', url: '/api/v1/catalog/dcat' });
      assert.equal(ld.statusCode, 200);
      assert.match(String(ld.headers['content-type']), /ld\+json/);
      const neg = await ctx.inject({ method: 'GET', url: '/api/v1/catalog/negative-list' });
      assert.ok(neg.json<unknown[]>().length > 10);
    });

    test('a department editor gets one error per bad field; the bureau publishes', async () => {
      const editor = await ctx.bearer('psb.editor', 'Govhub@2026').catch(() => undefined);
      if (!editor) {
        return assert.fail('demo user psb.editor should exist');
      }
      const bad = await ctx.inject({
        method: 'POST',
        url: '/api/v1/catalog/resources',
        headers: editor,
        payload: {
          name: '',
          classification: { category: '4', item: '01', catalog: '001' },
          abstract: 'x',
          format: { category: 'database', type: 'dm' },
          items: [{ name: '姓名', dataType: 'Q' }],
          shareType: 'conditional',
          openType: 'none',
          updateCycle: 'daily',
        },
      });
      assert.equal(bad.statusCode, 400);
      const fields = bad
        .json<{ error: { details: Array<{ field: string }> } }>()
        .error.details.map((d) => d.field);
      assert.deepEqual(fields.sort(), [
        'classification.category',
        'items[0].dataType',
        'name',
        'shareCondition',
      ]);

      const created = await ctx.inject({
        method: 'POST',
        url: '/api/v1/catalog/resources',
        headers: editor,
        payload: {
          name: '重点人员户籍核查信息',
          classification: { category: '1', item: '01', catalog: '101' },
          abstract: '户籍核查',
          format: { category: 'database', type: 'dm' },
          items: [{ name: '姓名', dataType: 'C', length: 50, piiKind: 'name' }],
          shareType: 'unconditional',
          openType: 'none',
          updateCycle: 'daily',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<ResourceDto>().id;
      const reviewer = await ctx.bearer('bureau.reviewer', 'Govhub@2026');
      const post = (url: string, headers: Record<string, string>) =>
        ctx.inject({ method: 'POST', url: `/api/v1/catalog/resources/${id}/${url}`, headers, payload: {} });
      assert.equal((await post('publish', reviewer)).statusCode, 409); // not reviewed yet
      assert.equal((await post('submit', editor)).statusCode, 200);
      assert.equal((await post('approve', editor)).statusCode, 403);
      assert.equal((await post('approve', reviewer)).statusCode, 200);
      const pub = await post('publish', reviewer);
      assert.equal(pub.statusCode, 200);
      assert.equal(pub.json<ResourceDto>().version, 1);
    });
  });
}
