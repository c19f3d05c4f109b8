import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/identity/actor.js';
import { SYSTEM } from '../../src/identity/actor.js';
import type { GrantTerms } from '../../src/sharing/sharing.service.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import { buildWorld, person, type World } from './world.js';

const ROWS = 2500;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const jinjiang = Array.from({ length: ROWS }, (_, n) => n).filter((n) => n % 3 === 0);

/** No row data of the test population anywhere in a refusal body. */
function assertNoData(body: string, what: string): void {
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    const p = person(n);
    assert.ok(!body.includes(p.id_number.slice(0, 10)), `${what}: an ID number leaked: ${body}`);
    assert.ok(!body.includes(p.name), `${what}: a name leaked: ${body}`);
  }
  assert.ok(
    !body.includes('"rows"') && !body.includes('锦江区') && !body.includes('_trailer'),
    `${what}: ${body}`,
  );
}

for (const kind of storageKinds()) {
  describe(`governed data API: one pipeline, every mode (${kind})`, () => {
    let ctx: TestContext;
    let w: World;
    let main: string; // app-bound, row filter 锦江区, pseudonym + date masking, read/verify/download
    let quota: string; // read only, 2 calls a day
    let revocable: string; // read/verify/download, no filter
    before(async () => {
      ctx = await createTestContext(kind);
      w = await buildWorld(ctx, ROWS);
      const grant = async (
        items: string[],
        modes: Array<'read' | 'verify' | 'download'>,
        terms: GrantTerms,
        appId?: string,
      ) => {
        const s = ctx.services.sharing;
        let r = await s.createRequest(SYSTEM, {
          requesterOrgId: w.consumer.id,
          ...(appId ? { appId } : {}),
          resources: [{ resource: w.resourceId, items }],
          purpose: '政务服务身份核验',
          scenario: '网上办事',
          legalBasis: '《政务数据共享条例》',
          modes,
          validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        });
        while (r.status !== 'approved') {
          r = await s.decide(SYSTEM, r.id, { decision: 'approve', terms });
        }
        return r.grantIds[0]!;
      };
      main = await grant(
        ['id_number', 'name', 'district', 'birth_date'],
        ['read', 'verify', 'download'],
        {
          rowFilter: { eq: ['district', '锦江区'] },
          maskingProfile: { id_number: { op: 'pseudonym' }, birth_date: { op: 'date', to: 'year' } },
        },
        w.app.id,
      );
      quota = await grant(['district', 'birth_date'], ['read'], { quota: { period: 'day', maxCalls: 2 } });
      revocable = await grant(['district', 'birth_date', 'name'], ['read', 'verify', 'download'], {});
    });
    after(() => ctx.close());

    const rows = (g: string, headers: Record<string, string>, qs = '') =>
      ctx.inject({ method: 'GET', url: `/api/v1/data/grants/${g}/rows${qs}`, headers });
    const stream = (g: string, headers: Record<string, string>, qs = '') =>
      ctx.inject({ method: 'GET', url: `/api/v1/data/grants/${g}/stream${qs}`, headers });
    const download = (g: string, headers: Record<string, string>, qs = '') =>
      ctx.inject({ method: 'GET', url: `/api/v1/data/grants/${g}/download${qs}`, headers });
    const verify = (g: string, headers: Record<string, string>, payload: object) =>
      ctx.inject({ method: 'POST', url: `/api/v1/data/grants/${g}/verify`, headers, payload });

    test('JSON pages: only rows inside the grant’s filter, masked, with a cursor and a receipt', async () => {
      const first = await rows(main, w.app.headers, '?limit=10');
      assert.equal(first.statusCode, 200, first.body);
      const page = first.json();
      assert.equal(page.rows.length, 10);
      assert.deepEqual(Object.keys(page.rows[0]).sort(), ['birth_date', 'district', 'id_number', 'name']);
      for (const [i, r] of page.rows.entries()) {
        const p = person(jinjiang[i]!);
        assert.equal(r.district, '锦江区');
        assert.match(r.id_number, /^k1:[0-9a-f]{64}$/);
        assert.equal(r.birth_date, p.birth_date.slice(0, 4));
        assert.equal(r.name, p.name[0] + '*'.repeat(p.name.length - 1), 'important items masked by default');
      }
      // the receipt: the access event holds the body's digest
      assert.equal(first.headers['x-govhub-body-sha256'], sha(first.body));
      const eventId = Number(String(first.headers['x-govhub-receipt']).replace('event=', ''));
      const [ev] = await ctx.services.ledger.list(SYSTEM, { subjectId: main, type: 'data.accessed' });
      assert.equal(ev!.id, eventId);
      assert.equal((ev!.data as { rowCount: number }).rowCount, 10);
      assert.equal((ev!.data as { responseDigest: string }).responseDigest, sha(first.body));
      // the next page continues where the first ended
      const second = (await rows(main, w.app.headers, `?limit=10&cursor=${page.nextCursor}`)).json();
      assert.equal(second.rows[0].birth_date, person(jinjiang[10]!).birth_date.slice(0, 4));
      // the caller's filter is ANDed with the grant's: a row outside it is simply not there
      const outside = await rows(
        main,
        w.app.headers,
        `?filter=${encodeURIComponent('{"eq":["district","青羊区"]}')}`,
      );
      assert.equal(outside.statusCode, 200);
      assert.equal(outside.json().rows.length, 0);
      assert.ok(!outside.body.includes('k1:') && !outside.body.includes('青羊区'), outside.body);
    });

    test('NDJSON and CSV streams: every row of the grant, the trailer holds the receipt', async () => {
      const res = await stream(main, w.app.headers);
      assert.equal(res.statusCode, 200, res.body);
      const lines = res.body.trimEnd().split('\n');
      const trailer = JSON.parse(lines.pop()!)._trailer;
      assert.equal(lines.length, jinjiang.length);
      assert.equal(trailer.rows, jinjiang.length);
      assert.equal(trailer.stopped, null);
      assert.equal(trailer.bodySha256, sha(lines.map((l) => l + '\n').join('')));
      assert.ok(lines.every((l) => JSON.parse(l).district === '锦江区'));
      const csv = await stream(main, w.app.headers, '?format=csv&items=name,district');
      assert.equal(csv.statusCode, 200);
      const csvLines = csv.body.trimEnd().split('\r\n');
      assert.equal(csvLines[0], '\uFEFFname,district');
      assert.equal(csvLines.length, 1 + jinjiang.length + 1);
      const dl = await download(main, w.app.headers);
      assert.equal(dl.statusCode, 200);
      assert.match(String(dl.headers['content-disposition']), /attachment/);
    });

    test('verify (核验): match / no_match per item and nothing else; outside the filter is no_match', async () => {
      const p = person(3);
      const res = await verify(main, w.app.headers, {
        key: { id_number: p.id_number.toLowerCase() === p.id_number ? p.id_number : p.id_number },
        claims: { name: p.name, birth_date: '1999-01-01' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { grantId: main, results: { name: 'match', birth_date: 'no_match' } });
      assert.ok(res.headers['x-govhub-receipt']);
      const q = person(1); // 青羊区: outside the grant's row filter
      const outside = await verify(main, w.app.headers, {
        key: { id_number: q.id_number },
        claims: { name: q.name },
      });
      assert.deepEqual(outside.json().results, { name: 'no_match' });
    });

    test('an open stream stops before its next chunk once the grant is revoked', async () => {
      const app = (await ctx.services.apps.get(SYSTEM, w.app.id)) as { id: string; orgId: string };
      const actor: Actor = {
        kind: 'user',
        id: 'u',
        orgId: app.orgId,
        roles: ['consumer'],
        username: 'u',
        via: 'bearer',
      };
      const gen = await ctx.services.pipeline.stream(actor, revocable, {}, 'ndjson');
      const first = await gen.next();
      assert.equal(first.done, false);
      assert.equal(first.value!.toString().trimEnd().split('\n').length, 1000);
      await ctx.services.sharing.revokeGrant(SYSTEM, revocable, '停止共享');
      const rest: string[] = [];
      for await (const chunk of gen) {
        rest.push(chunk.toString());
      }
      assert.equal(rest.length, 1, 'only the trailer follows');
      const trailer = JSON.parse(rest[0]!)._trailer;
      assert.equal(trailer.stopped, 'GRANT_REVOKED');
      assert.equal(trailer.rows, 1000);
    });

    test('reads through the pipeline count for the datasets advisor (reads, rows, bytes per consumer)', async () => {
      const db = ctx.services.database.db;
      const counted = () =>
        db.selectFrom('dataset_access').selectAll().where('consumer', '=', w.app.id).executeTakeFirst();
      await ctx.services.pipeline.settled();
      const before = await counted();
      const res = await rows(main, w.app.headers, '?limit=7');
      assert.equal(res.statusCode, 200, res.body);
      await ctx.services.pipeline.settled();
      const now = await counted();
      assert.ok(now, 'a dataset_access row for the app');
      assert.equal(now.reads - (before?.reads ?? 0), 1);
      assert.equal(Number(now.rows) - Number(before?.rows ?? 0), 7);
      assert.equal(Number(now.bytes) - Number(before?.bytes ?? 0), Buffer.byteLength(res.body));
    });

    test('a grant revoked behind the pipeline’s back (another server) refuses the next answer, no data', async () => {
      const s = ctx.services.sharing;
      let r = await s.createRequest(SYSTEM, {
        requesterOrgId: w.consumer.id,
        resources: [{ resource: w.resourceId, items: ['district', 'name'] }],
        purpose: '政务服务身份核验',
        scenario: '网上办事',
        legalBasis: '《政务数据共享条例》',
        modes: ['read', 'verify'],
        validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      });
      while (r.status !== 'approved') {
        r = await s.decide(SYSTEM, r.id, { decision: 'approve', terms: {} });
      }
      const g = r.grantIds[0]!;
      assert.equal((await rows(g, w.consumerUser, '?limit=3')).statusCode, 200);
      // Another process revokes it: this process's cache of the grant is not told.
      await ctx.services.database.db
        .updateTable('share_grant')
        .set({ status: 'revoked' })
        .where('id', '=', g)
        .execute();
      const res = await rows(g, w.consumerUser, '?limit=3');
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'GRANT_REVOKED');
      assertNoData(res.body, 'revoked elsewhere');
      const v = await verify(g, w.consumerUser, {
        key: { name: person(0).name },
        claims: { district: '锦江区' },
      });
      assert.equal(v.statusCode, 403, v.body);
      assertNoData(v.body, 'verify, revoked elsewhere');
    });

    test('refusals, for every endpoint and mode, with the right code and no data', async () => {
      const all = (g: string, h: Record<string, string>, qs = '') =>
        [
          ['rows', () => rows(g, h, qs)],
          ['ndjson', () => stream(g, h, qs)],
          ['csv', () => stream(g, h, qs ? `${qs}&format=csv` : '?format=csv')],
          ['download', () => download(g, h, qs)],
        ] as const;
      const expect = async (
        what: string,
        call: () => Promise<{ statusCode: number; body: string }>,
        status: number,
        code: string,
      ) => {
        const res = await call();
        assert.equal(res.statusCode, status, `${what}: ${res.body}`);
        assert.equal(JSON.parse(res.body).error.code, code, what);
        assertNoData(res.body, what);
      };
      const claim = { key: { id_number: person(0).id_number }, claims: { name: person(0).name } };
      // no credentials
      for (const [m, call] of all(main, {})) {
        await expect(`anonymous ${m}`, call, 401, 'UNAUTHENTICATED');
      }
      await expect('anonymous verify', () => verify(main, {}, claim), 401, 'UNAUTHENTICATED');
      // wrong organization; right organization but not the grant's app
      for (const [who, h] of [
        ['other org', w.otherUser],
        ['consumer user, app-bound grant', w.consumerUser],
      ] as const) {
        for (const [m, call] of all(main, h)) {
          await expect(`${who} ${m}`, call, 403, 'GRANT_SUBJECT_MISMATCH');
        }
        await expect(`${who} verify`, () => verify(main, h, claim), 403, 'GRANT_SUBJECT_MISMATCH');
      }
      // item not granted: asked for, filtered on, or claimed
      for (const [m, call] of all(main, w.app.headers, '?items=mobile')) {
        await expect(`item ${m}`, call, 403, 'ITEM_NOT_GRANTED');
      }
      const f = `?filter=${encodeURIComponent(`{"eq":["mobile","${person(0).mobile}"]}`)}`;
      for (const [m, call] of all(main, w.app.headers, f)) {
        await expect(`filter on item ${m}`, call, 403, 'ITEM_NOT_GRANTED');
      }
      await expect(
        'claim on item',
        () => verify(main, w.app.headers, { key: claim.key, claims: { mobile: person(0).mobile } }),
        403,
        'ITEM_NOT_GRANTED',
      );
      // mode not granted (read-only grant)
      await expect(
        'verify mode',
        () => verify(quota, w.consumerUser, { key: { district: '锦江区' }, claims: { birth_date: '1950' } }),
        403,
        'MODE_NOT_GRANTED',
      );
      await expect('download mode', () => download(quota, w.consumerUser), 403, 'MODE_NOT_GRANTED');
      // quota: two calls a day
      assert.equal((await rows(quota, w.consumerUser, '?limit=1')).statusCode, 200);
      assert.equal((await stream(quota, w.consumerUser, '?limit=1')).statusCode, 200);
      await expect('quota rows', () => rows(quota, w.consumerUser), 429, 'QUOTA_EXCEEDED');
      await expect('quota stream', () => stream(quota, w.consumerUser), 429, 'QUOTA_EXCEEDED');
      // revoked
      for (const [m, call] of all(revocable, w.consumerUser)) {
        await expect(`revoked ${m}`, call, 403, 'GRANT_REVOKED');
      }
      await expect(
        'revoked verify',
        () => verify(revocable, w.consumerUser, { key: { district: '锦江区' }, claims: { name: 'x' } }),
        403,
        'GRANT_REVOKED',
      );
      // expired: the same grant two years on
      const p = ctx.services.pipeline as unknown as { deps: { now?: () => Date } };
      p.deps.now = () => new Date(Date.now() + 2 * 365 * 86_400_000);
      try {
        for (const [m, call] of all(main, w.app.headers)) {
          await expect(`expired ${m}`, call, 403, 'GRANT_EXPIRED');
        }
        await expect('expired verify', () => verify(main, w.app.headers, claim), 403, 'GRANT_EXPIRED');
      } finally {
        delete p.deps.now;
      }
      // every refusal was recorded
      const refused = await ctx.services.ledger.list(SYSTEM, { type: 'data.access_refused', limit: 1000 });
      assert.ok(refused.length >= 20, `${refused.length} refusals recorded`);
    });
  });
}
