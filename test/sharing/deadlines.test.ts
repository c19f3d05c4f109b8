import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/identity/actor.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { storageKinds } from '../support/db.js';
import { buildWorld, type World } from './world.js';

/**
 * Deadline reminders and escalation on a fixed clock. A request submitted on Monday 2 March 2026, 10:00
 * Shanghai, is due at the end of Monday 16 March (10 working days, no holiday in between): reminders at
 * 09:00 Shanghai on Wednesday 11 March (3 working days left) and Friday 13 March (1 left).
 */
for (const kind of storageKinds()) {
  describe(`sharing: deadline reminders, notifications and escalation (${kind})`, () => {
    let ctx: TestContext;
    let w: World;
    let clock = new Date('2026-03-02T02:00:00Z');
    before(async () => {
      ctx = await createTestContext(kind);
      w = await buildWorld(ctx, 5);
      (ctx.services.sharing as unknown as { deps: { now?: () => Date } }).deps.now = () => clock;
    });
    after(() => ctx.close());

    const inject = (
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      headers: Record<string, string>,
      payload?: object,
    ) => ctx.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    const sweep = () => ctx.services.sharing.sweepDeadlines(SYSTEM);
    const mine = async (headers: Record<string, string>, unread = false) => {
      const res = await inject('GET', `/sharing/notifications${unread ? '?unread=true' : ''}`, headers);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items as Array<{
        id: string;
        kind: string;
        requestId: string;
        data: Record<string, unknown>;
      }>;
    };

    test('reminders at 3 and 1 working days left go to the provider’s approvers once; overdue goes to the bureau', async () => {
      const created = await inject('POST', '/sharing/requests', w.consumerUser, {
        resources: [{ resource: w.resourceId, items: ['name', 'district'] }],
        purpose: '低保资格复核',
        scenario: '低保审核',
        legalBasis: '《社会救助暂行办法》',
        modes: ['read'],
        validTo: '2027-03-01T00:00:00Z',
      });
      assert.equal(created.statusCode, 201, created.body);
      const r = created.json();
      assert.equal(r.status, 'provider_review');
      assert.equal(r.dueAt, '2026-03-16T15:59:59.999Z');

      assert.deepEqual((await sweep()).reminded, []);
      clock = new Date('2026-03-11T00:59:00Z'); // 08:59 Shanghai: not yet
      assert.deepEqual((await sweep()).reminded, []);
      assert.equal((await mine(w.providerApprover)).length, 0);

      clock = new Date('2026-03-11T01:00:00Z');
      const first = await sweep();
      assert.deepEqual(
        first.reminded.map((x) => [x.requestId, x.workingDaysLeft, x.recipients]),
        [[r.id, 3, 1]],
      );
      assert.deepEqual((await sweep()).reminded, [], 'each reminder is sent once');
      const notes = await mine(w.providerApprover);
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.kind, 'deadline_reminder');
      assert.equal(notes[0]!.requestId, r.id);
      assert.equal(notes[0]!.data.workingDaysLeft, 3);
      assert.equal(notes[0]!.data.dueAt, r.dueAt);
      assert.equal((await mine(w.consumerUser)).length, 0, 'the requester is not the one to act');
      const events = await ctx.services.ledger.list(SYSTEM, {
        subjectId: r.id,
        type: 'share_request.reminded',
      });
      assert.equal(events.length, 1);
      assert.equal((events[0]!.data as { workingDaysLeft: number }).workingDaysLeft, 3);

      clock = new Date('2026-03-13T05:00:00Z');
      assert.deepEqual(
        (await sweep()).reminded.map((x) => x.workingDaysLeft),
        [1],
      );
      assert.equal((await mine(w.providerApprover, true)).length, 2);

      // read: one by id, and nobody else's
      const [latest] = await mine(w.providerApprover);
      const other = await inject('POST', '/sharing/notifications/read', w.bureauApprover, {
        ids: [latest!.id],
      });
      assert.equal(other.json().updated, 0);
      const read = await inject('POST', '/sharing/notifications/read', w.providerApprover, {
        ids: [latest!.id],
      });
      assert.equal(read.json().updated, 1);
      assert.equal((await mine(w.providerApprover, true)).length, 1);
      const all = await inject('POST', '/sharing/notifications/read', w.providerApprover, {});
      assert.equal(all.json().updated, 1);
      assert.equal((await mine(w.providerApprover, true)).length, 0);
      assert.equal((await mine(w.providerApprover)).length, 2, 'read ones are still listed');

      // past the end of 16 March (Shanghai): escalated to the bureau, whose approver is told
      clock = new Date('2026-03-16T15:59:59Z');
      assert.deepEqual((await sweep()).escalated, []);
      clock = new Date('2026-03-16T16:00:01Z');
      const late = await inject('POST', '/sharing/deadlines/sweep', w.bureauApprover);
      assert.equal(late.statusCode, 200, late.body);
      assert.deepEqual(late.json().escalated, [r.id]);
      assert.deepEqual(late.json().reminded, [], 'no reminder once overdue');
      const bureauNotes = await mine(w.bureauApprover);
      assert.deepEqual(
        bureauNotes.map((n) => [n.kind, n.requestId]),
        [['overdue_escalated', r.id]],
      );
      assert.deepEqual((await sweep()).escalated, [], 'escalated once');
    });

    test('only the bureau runs the sweep over HTTP; notifications are for signed-in people', async () => {
      const res = await inject('POST', '/sharing/deadlines/sweep', w.providerApprover);
      assert.equal(res.statusCode, 403);
      const app = await inject('GET', '/sharing/notifications', w.app.headers);
      assert.equal(app.statusCode, 403);
    });

    test('the region rule’s remindAtWorkingDaysLeft decides when reminders go out', async () => {
      clock = new Date('2026-04-13T02:00:00Z'); // Monday 13 April 2026, 10:00 Shanghai
      const put = await inject('PUT', '/sharing/rules', w.bureauApprover, {
        bureauRule: { minLevel: 'important' },
        sla: { provider_review: { workingDays: 5, remindAtWorkingDaysLeft: [2] } },
        calendarOverrides: [],
      });
      assert.equal(put.statusCode, 200, put.body);
      const r = (
        await inject('POST', '/sharing/requests', w.consumerUser, {
          resources: [{ resource: w.resourceId, items: ['name'] }],
          purpose: '就业补贴核验',
          scenario: '补贴发放',
          legalBasis: '《就业促进法》',
          modes: ['read'],
          validTo: '2027-04-01T00:00:00Z',
        })
      ).json();
      assert.equal(r.dueAt, '2026-04-20T15:59:59.999Z'); // 5 working days: Monday 20 April
      clock = new Date('2026-04-16T00:59:00Z'); // Thursday 08:59: 2 working days left from 09:00
      assert.deepEqual((await sweep()).reminded, []);
      clock = new Date('2026-04-16T01:00:00Z');
      assert.deepEqual(
        (await sweep()).reminded.map((x) => [x.requestId, x.workingDaysLeft]),
        [[r.id, 2]],
      );
    });
  });
}
