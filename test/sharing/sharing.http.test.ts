import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import { buildWorld, person, type World } from './world.js';

const YEAR = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

for (const kind of storageKinds()) {
  describe(`sharing: requests, decisions, grants, objections (${kind})`, () => {
    let ctx: TestContext;
    let w: World;
    before(async () => {
      ctx = await createTestContext(kind);
      w = await buildWorld(ctx, 20);
    });
    after(() => ctx.close());

    const post = (url: string, headers: Record<string, string>, payload: object = {}) =>
      ctx.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
    const get = (url: string, headers: Record<string, string>) =>
      ctx.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    const ask = (items: string[], extra: object = {}) => ({
      resources: [{ resource: w.resourceId, items }],
      purpose: '居民办理医保异地备案时核验身份',
      scenario: '医保异地就医备案',
      legalBasis: '《社会保险法》第二十九条',
      modes: ['read', 'verify'],
      validTo: YEAR(),
      expectedVolume: '每日约 200 次',
      ...extra,
    });

    test('an item on the negative list cannot be requested (400, nothing stored)', async () => {
      const res = await post('/sharing/requests', w.consumerUser, ask(['id_number', 'diagnosis']));
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'ITEM_ON_NEGATIVE_LIST');
      const list = (await get('/sharing/requests', w.consumerUser)).json();
      assert.equal(list.length, 0);
    });

    test('unconditional resources are granted at once, purpose recorded on the ledger', async () => {
      const res = await post('/sharing/requests', w.consumerUser, {
        ...ask([]),
        resources: [{ resource: w.openResourceId, items: ['org_name', 'district'] }],
      });
      assert.equal(res.statusCode, 201, res.body);
      const r = res.json();
      assert.equal(r.status, 'approved');
      assert.equal(r.grantIds.length, 1);
      const events = await ctx.services.ledger.list(SYSTEM, { subjectId: r.id });
      const auto = events.find((e) => e.type === 'share_request.auto_approved');
      assert.ok(auto, events.map((e) => e.type).join());
      assert.equal((auto.data as { purpose?: string }).purpose, '居民办理医保异地备案时核验身份');
    });

    test('conditional, important items: provider approves, then the bureau; a grant with the approved terms', async () => {
      const created = await post(
        '/sharing/requests',
        w.consumerUser,
        ask(['id_number', 'name', 'district'], { appId: w.app.id }),
      );
      assert.equal(created.statusCode, 201, created.body);
      const r = created.json();
      assert.equal(r.status, 'provider_review');
      assert.equal(r.bureauReviewRequired, true);
      assert.ok(
        r.dueAt && Date.parse(r.dueAt) > Date.now() + 9 * 86_400_000,
        'ten working days are at least two weeks',
      );
      // the consumer cannot approve its own request; another org's user cannot even see it
      assert.equal(
        (await post(`/sharing/requests/${r.id}/decision`, w.consumerUser, { decision: 'approve' }))
          .statusCode,
        403,
      );
      assert.equal((await get(`/sharing/requests/${r.id}`, w.otherUser)).statusCode, 403);
      // a refusal needs a reason
      const noReason = await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, {
        decision: 'refuse',
      });
      assert.equal(noReason.statusCode, 400);
      assert.equal(noReason.json().error.code, 'REASON_REQUIRED');
      const p = await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, {
        decision: 'approve',
        terms: {
          rowFilter: { eq: ['district', '锦江区'] },
          maskingProfile: { name: { op: 'partial', kind: 'name' } },
          quota: { period: 'day', maxCalls: 100 },
        },
      });
      assert.equal(p.statusCode, 200, p.body);
      assert.equal(p.json().status, 'bureau_review');
      // the provider cannot take the bureau's step
      assert.equal(
        (await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, { decision: 'approve' }))
          .statusCode,
        403,
      );
      const b = await post(`/sharing/requests/${r.id}/decision`, w.bureauApprover, { decision: 'approve' });
      assert.equal(b.statusCode, 200, b.body);
      const done = b.json();
      assert.equal(done.status, 'approved');
      assert.equal(done.grantIds.length, 1);
      assert.deepEqual(
        done.steps.map((s: { stage: string; outcome: string }) => [s.stage, s.outcome]),
        [
          ['provider_review', 'approve'],
          ['bureau_review', 'approve'],
        ],
      );
      const g = (await get(`/sharing/grants/${done.grantIds[0]}`, w.consumerUser)).json();
      assert.equal(g.status, 'active');
      assert.deepEqual(g.items, ['district', 'id_number', 'name']);
      assert.deepEqual(g.rowFilter, { eq: ['district', '锦江区'] });
      assert.equal(g.consumerAppId, w.app.id);
      assert.deepEqual(g.quota, { period: 'day', maxCalls: 100 });
    });

    test('refused with a reason → the requester asks the bureau to coordinate → granted', async () => {
      const r = (await post('/sharing/requests', w.consumerUser, ask(['mobile']))).json();
      const refused = await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, {
        decision: 'refuse',
        reason: '用途与手机号无关',
      });
      assert.equal(refused.json().status, 'refused');
      assert.equal(refused.json().refusal.reason, '用途与手机号无关');
      const c = await post(`/sharing/requests/${r.id}/coordination`, w.consumerUser, {
        reason: '需要短信通知备案结果',
      });
      assert.equal(c.json().status, 'coordination_requested');
      assert.equal(
        (await post(`/sharing/requests/${r.id}/coordinate`, w.providerApprover, { outcome: 'granted' }))
          .statusCode,
        403,
      );
      const g = await post(`/sharing/requests/${r.id}/coordinate`, w.bureauApprover, {
        outcome: 'granted',
        note: '协调同意',
      });
      assert.equal(g.json().status, 'approved');
      assert.equal(g.json().grantIds.length, 1);
    });

    test('returned for more material, resubmitted; withdrawn', async () => {
      const r = (await post('/sharing/requests', w.consumerUser, ask(['district']))).json();
      const ret = await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, {
        decision: 'return',
        reason: '请补充依据',
      });
      assert.equal(ret.json().status, 'returned');
      assert.equal(
        (await post(`/sharing/requests/${r.id}/resubmit`, w.consumerUser)).json().status,
        'provider_review',
      );
      assert.equal(
        (await post(`/sharing/requests/${r.id}/withdraw`, w.consumerUser, {})).json().status,
        'withdrawn',
      );
    });

    test('suspend, resume, renew, revoke a grant — provider only; revoked is final', async () => {
      const r = (await post('/sharing/requests', w.consumerUser, ask(['district', 'birth_date']))).json();
      const ok = (
        await post(`/sharing/requests/${r.id}/decision`, w.providerApprover, { decision: 'approve' })
      ).json();
      const id = ok.grantIds[0];
      assert.equal(
        (await post(`/sharing/grants/${id}/revoke`, w.consumerUser, { reason: 'x' })).statusCode,
        403,
      );
      assert.equal(
        (await post(`/sharing/grants/${id}/suspend`, w.providerApprover, { reason: '核查' })).json().status,
        'suspended',
      );
      assert.equal((await post(`/sharing/grants/${id}/resume`, w.providerApprover)).json().status, 'active');
      const later = new Date(Date.now() + 2 * 365 * 86_400_000).toISOString();
      assert.equal(
        (await post(`/sharing/grants/${id}/renew`, w.providerApprover, { validTo: later })).json().validTo,
        later,
      );
      assert.equal(
        (await post(`/sharing/grants/${id}/revoke`, w.providerApprover, { reason: '项目结束' })).json()
          .status,
        'revoked',
      );
      const again = await post(`/sharing/grants/${id}/resume`, w.providerApprover);
      assert.equal(again.statusCode, 409);
    });

    test('objection: the consumer reports, the provider rejects with a reason, the consumer is told', async () => {
      const grants = (await get('/sharing/grants', w.consumerUser)).json() as Array<{
        id: string;
        items: string[];
        status: string;
      }>;
      const g = grants.find((x) => x.items.includes('id_number') && x.status === 'active')!;
      const o = await post('/sharing/objections', w.consumerUser, {
        grantId: g.id,
        items: ['name'],
        recordKeys: [person(0).id_number],
        description: '姓名与户籍登记不一致',
      });
      assert.equal(o.statusCode, 201, o.body);
      assert.equal(o.json().status, 'reported');
      assert.ok(o.json().dueAt);
      const stray = await post('/sharing/objections', w.consumerUser, {
        grantId: g.id,
        items: ['mobile'],
        recordKeys: ['x'],
        description: '手机号错误',
      });
      assert.equal(stray.json().error.code, 'ITEM_NOT_GRANTED');
      const noReason = await post(`/sharing/objections/${o.json().id}/resolve`, w.providerApprover, {
        outcome: 'reject',
      });
      assert.equal(noReason.statusCode, 400);
      const res = await post(`/sharing/objections/${o.json().id}/resolve`, w.providerApprover, {
        outcome: 'reject',
        reason: '经核实与户籍登记一致',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'closed');
      assert.equal(res.json().rejectionReason, '经核实与户籍登记一致');
      assert.deepEqual(res.json().notified, [w.consumer.id]);
    });

    test('overdue requests escalate to the bureau once', async () => {
      const r = (await post('/sharing/requests', w.consumerUser, ask(['birth_date']))).json();
      const s = ctx.services.sharing as unknown as { deps: { now?: () => Date } };
      s.deps.now = () => new Date(Date.now() + 40 * 86_400_000);
      try {
        const first = await ctx.services.sharing.escalateOverdue(SYSTEM);
        assert.ok(first.includes(r.id));
        assert.ok(!(await ctx.services.sharing.escalateOverdue(SYSTEM)).includes(r.id));
      } finally {
        delete s.deps.now;
      }
    });
  });
}
