import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  effectiveGrantStatus,
  type GrantLifecycleState,
  transitionGrant,
} from '../../src/sharing/grant-lifecycle.js';
import {
  type ObjectionCommand,
  type ObjectionState,
  transitionObjection,
  validateObjectionReport,
} from '../../src/sharing/objection.js';

const T0 = new Date('2026-01-01T00:00:00+08:00');
const T1 = new Date('2026-07-01T00:00:00+08:00');
const T2 = new Date('2027-01-01T00:00:00+08:00');
const grant: GrantLifecycleState = { status: 'active', validFrom: T0, validTo: T2 };

describe('grant lifecycle', () => {
  test('suspend and resume; revoke is final; both need a reason', () => {
    const sus = transitionGrant(grant, { type: 'suspend', reason: '超范围使用' });
    assert.ok(sus.ok && sus.state.status === 'suspended');
    assert.equal(transitionGrant(grant, { type: 'suspend', reason: '' }).ok, false);
    const res = transitionGrant(sus.state, { type: 'resume', now: T1 });
    assert.ok(res.ok && res.state.status === 'active' && res.state.suspendedReason === undefined);
    const rev = transitionGrant(sus.state, { type: 'revoke', reason: '协议终止' });
    assert.ok(rev.ok && rev.state.status === 'revoked');
    assert.deepEqual(rev.events, [
      { type: 'grant.revoked', data: { reason: '协议终止', from: 'suspended' } },
    ]);
    for (const cmd of [
      { type: 'resume', now: T1 },
      { type: 'renew', validTo: new Date('2028-01-01'), now: T1 },
      { type: 'suspend', reason: 'x' },
    ] as const) {
      const r = transitionGrant(rev.state, cmd);
      assert.ok(!r.ok && r.error.code === 'INVALID_TRANSITION');
    }
  });

  test('expiry: effective at validTo without waiting for the expire command; renew reopens', () => {
    assert.equal(effectiveGrantStatus(grant, T1), 'active');
    assert.equal(effectiveGrantStatus(grant, T2), 'expired');
    const early = transitionGrant(grant, { type: 'expire', now: T1 });
    assert.ok(!early.ok && early.error.code === 'NOT_YET_EXPIRED');
    const exp = transitionGrant(grant, { type: 'expire', now: T2 });
    assert.ok(exp.ok && exp.state.status === 'expired');
    const bad = transitionGrant(exp.state, { type: 'renew', validTo: T1, now: T2 });
    assert.ok(!bad.ok && bad.error.code === 'INVALID_VALIDITY');
    const ren = transitionGrant(exp.state, {
      type: 'renew',
      validTo: new Date('2028-01-01T00:00:00+08:00'),
      now: T2,
    });
    assert.ok(ren.ok && ren.state.status === 'active');
    assert.equal(effectiveGrantStatus(ren.state, T2), 'active');
    const sus = transitionGrant(grant, { type: 'suspend', reason: 'x' });
    assert.ok(sus.ok);
    const late = transitionGrant(sus.state, { type: 'resume', now: T2 });
    assert.ok(!late.ok && late.error.code === 'GRANT_EXPIRED');
  });

  test('property: a revoked grant stays revoked whatever follows', () => {
    const cmdArb = fc.oneof(
      fc.constant({ type: 'suspend' as const, reason: 'r' }),
      fc
        .date({ min: T0, max: new Date('2030-01-01'), noInvalidDate: true })
        .map((now) => ({ type: 'resume' as const, now })),
      fc.constant({ type: 'revoke' as const, reason: 'r' }),
      fc
        .date({ min: T0, max: new Date('2030-01-01'), noInvalidDate: true })
        .map((now) => ({ type: 'expire' as const, now })),
      fc
        .date({ min: T0, max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => ({ type: 'renew' as const, validTo: d, now: T0 })),
    );
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 20 }), (cmds) => {
        let g = grant;
        let revoked = false;
        for (const c of cmds) {
          const r = transitionGrant(g, c);
          if (r.ok) {
            g = r.state;
          }
          revoked ||= g.status === 'revoked';
          if (revoked) {
            assert.equal(g.status, 'revoked');
          }
        }
      }),
    );
  });
});

describe('objection / correction (数据异议)', () => {
  const reported: ObjectionState = {
    status: 'reported',
    resourceId: 'r1',
    items: ['address'],
    recordKeys: ['510104196001010012'],
    description: '地址已变更',
  };

  test('verify within the deadline, correct, notify the consumer', () => {
    const v = transitionObjection(reported, { type: 'start_verification', by: 'provider' });
    assert.ok(v.ok && v.state.status === 'provider_verifying');
    assert.equal(v.events[0]!.data['slaStage'], 'objection_verify');
    const c = transitionObjection(v.state, {
      type: 'correct',
      by: 'provider',
      corrections: [
        { item: 'address', recordKey: '510104196001010012', oldValue: '旧', newValue: '新', evidence: 'v42' },
      ],
    });
    assert.ok(c.ok && c.state.status === 'corrected');
    const n = transitionObjection(c.state, {
      type: 'notify_consumer',
      by: 'system',
      recipients: ['org:civil', 'org:civil', 'org:hrss'],
    });
    assert.ok(n.ok && n.state.status === 'closed');
    assert.deepEqual(n.state.notified, ['org:civil', 'org:hrss']);
    assert.equal(n.events[0]!.data['outcome'], 'corrected');
  });

  test('rejection needs a reason; corrections stay inside the objection; actors are checked', () => {
    const v = transitionObjection(reported, { type: 'start_verification', by: 'system' });
    assert.ok(v.ok);
    const code = (cmd: ObjectionCommand) => {
      const r = transitionObjection(v.state, cmd);
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(code({ type: 'reject', by: 'provider', reason: ' ' }), 'REASON_REQUIRED');
    assert.equal(code({ type: 'reject', by: 'reporter', reason: 'x' }), 'WRONG_ACTOR');
    assert.equal(code({ type: 'correct', by: 'provider', corrections: [] }), 'CORRECTION_REQUIRED');
    assert.equal(
      code({
        type: 'correct',
        by: 'provider',
        corrections: [{ item: 'name', recordKey: '510104196001010012', oldValue: 1, newValue: 2 }],
      }),
      'CORRECTION_OUTSIDE_OBJECTION',
    );
    assert.equal(code({ type: 'escalate_overdue', by: 'system' }), 'ok');
    assert.equal(code({ type: 'start_verification', by: 'provider' }), 'INVALID_TRANSITION');
    const rej = transitionObjection(v.state, { type: 'reject', by: 'provider', reason: '经核实数据无误' });
    assert.ok(rej.ok && rej.state.rejectionReason === '经核实数据无误');
    const none = transitionObjection(rej.state, { type: 'notify_consumer', by: 'system', recipients: [] });
    assert.ok(!none.ok && none.error.code === 'RECIPIENTS_REQUIRED');
  });

  test('reports need a description and something to point at', () => {
    assert.equal(validateObjectionReport({ ...reported, description: '' }), 'REASON_REQUIRED');
    assert.equal(validateObjectionReport({ ...reported, items: [], recordKeys: [] }), 'CORRECTION_REQUIRED');
    assert.equal(validateObjectionReport(reported), undefined);
  });
});
