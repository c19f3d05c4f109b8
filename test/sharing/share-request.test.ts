import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  allowedCommands,
  bureauReviewRequired,
  type ApprovedScope,
  type RequestedItem,
  type Role,
  SHARE_REQUEST_STATUSES,
  type ShareRequestCommand,
  type ShareRequestState,
  transitionShareRequest,
} from '../../src/sharing/share-request.js';

const COND: RequestedItem[] = [
  { resourceId: 'r1', item: 'name', shareType: 'conditional', level: 'important' },
  { resourceId: 'r1', item: 'district', shareType: 'unconditional', level: 'general' },
];
const UNCOND: RequestedItem[] = [
  { resourceId: 'r2', item: 'district', shareType: 'unconditional', level: 'general' },
];
const draft = (items: RequestedItem[] = COND): ShareRequestState => ({
  status: 'draft',
  items,
  modes: ['read', 'verify'],
  purpose: '低保资格核验',
});
const SCOPE: ApprovedScope = {
  items: [{ resourceId: 'r1', item: 'name' }],
  modes: ['verify'],
  validFrom: '2026-01-01T00:00:00+08:00',
  validTo: '2026-12-31T23:59:59+08:00',
};

function step(s: ShareRequestState, cmd: ShareRequestCommand): ShareRequestState {
  const r = transitionShareRequest(s, cmd);
  assert.ok(r.ok, r.ok ? '' : `${cmd.type}: ${r.error.code}`);
  return r.state;
}
function errorOf(s: ShareRequestState, cmd: ShareRequestCommand): string {
  const r = transitionShareRequest(s, cmd);
  return r.ok ? 'ok' : r.error.code;
}

describe('share request state machine', () => {
  test('无条件共享 is approved at submit, with the purpose still recorded', () => {
    const r = transitionShareRequest(draft(UNCOND), { type: 'submit', by: 'requester', rule: {} });
    assert.ok(r.ok);
    assert.equal(r.state.status, 'approved');
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['share_request.submitted', 'share_request.auto_approved'],
    );
    assert.equal(r.events[0]!.data['purpose'], '低保资格核验');
  });

  test('有条件共享: provider review, then bureau review when the region requires it by level', () => {
    let s = step(draft(), { type: 'submit', by: 'requester', rule: { minLevel: 'important' } });
    assert.equal(s.status, 'provider_review');
    assert.equal(s.bureauReviewRequired, true);
    s = step(s, { type: 'approve', by: 'provider', scope: SCOPE });
    assert.equal(s.status, 'bureau_review');
    assert.equal(errorOf(s, { type: 'approve', by: 'provider', scope: SCOPE }), 'WRONG_ACTOR');
    s = step(s, { type: 'approve', by: 'bureau', scope: SCOPE });
    assert.equal(s.status, 'approved');
    assert.deepEqual(s.approvedScope, SCOPE);
  });

  test('without the bureau rule the provider approval is final', () => {
    let s = step(draft(), { type: 'submit', by: 'requester', rule: { minLevel: 'core' } });
    assert.equal(s.bureauReviewRequired, false);
    s = step(s, { type: 'approve', by: 'provider', scope: SCOPE });
    assert.equal(s.status, 'approved');
  });

  test('refusal needs a reason; a refused requester can ask the bureau to coordinate', () => {
    const review = step(draft(), { type: 'submit', by: 'requester', rule: {} });
    assert.equal(errorOf(review, { type: 'refuse', by: 'provider', reason: '  ' }), 'REASON_REQUIRED');
    let s = step(review, {
      type: 'refuse',
      by: 'provider',
      reason: '涉及未成年人信息',
      legalBasis: '未成年人保护法',
    });
    assert.deepEqual(s.refusal, { by: 'provider', reason: '涉及未成年人信息', legalBasis: '未成年人保护法' });
    assert.equal(
      errorOf(s, { type: 'request_coordination', by: 'requester', reason: '' }),
      'REASON_REQUIRED',
    );
    s = step(s, { type: 'request_coordination', by: 'requester', reason: '法定职责需要' });
    assert.equal(s.status, 'coordination_requested');
    assert.equal(
      errorOf(s, { type: 'coordinate', by: 'provider', outcome: 'upheld', note: 'x' }),
      'WRONG_ACTOR',
    );
    const upheld = step(s, { type: 'coordinate', by: 'bureau', outcome: 'upheld', note: '维持不予共享' });
    assert.equal(upheld.status, 'coordinated');
    const granted = step(s, { type: 'coordinate', by: 'bureau', outcome: 'granted', scope: SCOPE });
    assert.equal(granted.status, 'approved');
    assert.equal(granted.coordinationOutcome, 'granted');
  });

  test('return for more material and resubmit; withdraw from open states', () => {
    let s = step(draft(), { type: 'submit', by: 'requester', rule: {} });
    assert.equal(errorOf(s, { type: 'return', by: 'provider', reason: '' }), 'REASON_REQUIRED');
    s = step(s, { type: 'return', by: 'provider', reason: '请补充法律依据' });
    assert.equal(s.status, 'returned');
    s = step(s, { type: 'resubmit', by: 'requester' });
    assert.equal(s.status, 'provider_review');
    assert.equal(step(s, { type: 'withdraw', by: 'requester' }).status, 'withdrawn');
  });

  test('negative list, core items, empty requests and missing purpose are refused at submit', () => {
    const neg: RequestedItem[] = [{ resourceId: 'r', item: 'x', shareType: 'none', level: 'general' }];
    const core: RequestedItem[] = [{ resourceId: 'r', item: 'y', shareType: 'conditional', level: 'core' }];
    const submit: ShareRequestCommand = { type: 'submit', by: 'requester', rule: {} };
    assert.equal(errorOf(draft(neg), submit), 'ITEM_ON_NEGATIVE_LIST');
    assert.equal(errorOf(draft(core), submit), 'CORE_ITEM_REQUESTED');
    assert.equal(errorOf(draft([]), submit), 'NO_ITEMS');
    assert.equal(errorOf({ ...draft(), purpose: ' ' }, submit), 'PURPOSE_REQUIRED');
    assert.equal(errorOf({ ...draft(), modes: [] }, submit), 'NO_MODES');
    assert.equal(errorOf(draft(), { ...submit, by: 'provider' }), 'WRONG_ACTOR');
  });

  test('the approved scope can only narrow the request; the bureau can only narrow the provider', () => {
    const s = step(draft(), { type: 'submit', by: 'requester', rule: { allConditional: true } });
    const wider = { ...SCOPE, items: [...SCOPE.items, { resourceId: 'r9', item: 'z' }] };
    assert.equal(errorOf(s, { type: 'approve', by: 'provider', scope: wider }), 'SCOPE_EXCEEDS_REQUEST');
    assert.equal(
      errorOf(s, { type: 'approve', by: 'provider', scope: { ...SCOPE, modes: ['download'] } }),
      'SCOPE_EXCEEDS_REQUEST',
    );
    assert.equal(
      errorOf(s, { type: 'approve', by: 'provider', scope: { ...SCOPE, validTo: SCOPE.validFrom } }),
      'INVALID_VALIDITY',
    );
    const b = step(s, { type: 'approve', by: 'provider', scope: SCOPE });
    const broader = { ...SCOPE, items: COND.map((i) => ({ resourceId: i.resourceId, item: i.item })) };
    assert.equal(errorOf(b, { type: 'approve', by: 'bureau', scope: broader }), 'SCOPE_EXCEEDS_REQUEST');
  });

  test('overdue cases escalate and never approve themselves', () => {
    const s = step(draft(), { type: 'submit', by: 'requester', rule: {} });
    const r = transitionShareRequest(s, { type: 'escalate_overdue', by: 'system' });
    assert.ok(r.ok);
    assert.equal(r.state.status, 'provider_review');
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['share_request.overdue_escalated'],
    );
    assert.equal(errorOf(s, { type: 'escalate_overdue', by: 'requester' }), 'WRONG_ACTOR');
    assert.equal(
      errorOf(draft(), { type: 'remind', by: 'system', workingDaysLeft: 1 }),
      'INVALID_TRANSITION',
    );
  });

  test('bureau review rule by level and by sharing type', () => {
    assert.equal(bureauReviewRequired(COND, { minLevel: 'important' }), true);
    assert.equal(bureauReviewRequired(COND, { minLevel: 'core' }), false);
    assert.equal(bureauReviewRequired(UNCOND, { allConditional: true }), false);
    assert.equal(bureauReviewRequired(COND, { allConditional: true }), true);
    assert.equal(bureauReviewRequired(COND, {}), false);
  });

  const ROLES: Role[] = ['requester', 'provider', 'bureau', 'system'];
  const cmdArb: fc.Arbitrary<ShareRequestCommand> = fc.oneof(
    fc
      .constantFrom<Role>(...ROLES)
      .map((by) => ({ type: 'submit' as const, by, rule: { minLevel: 'important' as const } })),
    fc.constantFrom<Role>(...ROLES).map((by) => ({ type: 'approve' as const, by, scope: SCOPE })),
    fc.tuple(fc.constantFrom<Role>(...ROLES), fc.constantFrom('', '不符合共享条件')).map(([by, reason]) => ({
      type: 'refuse' as const,
      by,
      reason,
    })),
    fc.constantFrom<Role>(...ROLES).map((by) => ({ type: 'return' as const, by, reason: '补充材料' })),
    fc.constantFrom<Role>(...ROLES).map((by) => ({ type: 'resubmit' as const, by })),
    fc
      .constantFrom<Role>(...ROLES)
      .map((by) => ({ type: 'request_coordination' as const, by, reason: '需要' })),
    fc
      .constantFrom<Role>(...ROLES)
      .map((by) => ({ type: 'coordinate' as const, by, outcome: 'upheld' as const, note: '维持' })),
    fc
      .constantFrom<Role>(...ROLES)
      .map((by) => ({ type: 'coordinate' as const, by, outcome: 'granted' as const, scope: SCOPE })),
    fc.constantFrom<Role>(...ROLES).map((by) => ({ type: 'withdraw' as const, by })),
    fc.constantFrom<Role>(...ROLES).map((by) => ({ type: 'escalate_overdue' as const, by })),
  );

  test('property: random command sequences never throw and keep the invariants', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 30 }), (cmds) => {
        let s = draft();
        let approvals = 0;
        for (const cmd of cmds) {
          const r = transitionShareRequest(s, cmd);
          if (!r.ok) {
            assert.ok(r.error.messageKey.startsWith('sharing.error.'));
            continue;
          }
          assert.ok(allowedCommands(s.status).includes(cmd.type));
          assert.ok(r.events.length > 0, 'every transition records an event');
          if (cmd.type === 'approve' || (cmd.type === 'coordinate' && cmd.outcome === 'granted')) {
            approvals++;
          }
          s = r.state;
          if (s.status === 'refused') {
            assert.ok(s.refusal && s.refusal.reason.trim() !== '', 'a refusal always carries a reason');
          }
          if (s.status === 'approved') {
            assert.ok(approvals > 0, 'a conditional request is approved only by someone approving it');
            assert.ok(s.approvedScope);
          }
        }
        if (s.status === 'approved' || s.status === 'withdrawn' || s.status === 'coordinated') {
          assert.deepEqual(allowedCommands(s.status), [], 'terminal');
        }
      }),
      { numRuns: 300 },
    );
  });

  test('every status has a defined command list', () => {
    for (const st of SHARE_REQUEST_STATUSES) {
      assert.ok(Array.isArray(allowedCommands(st)));
    }
  });
});
