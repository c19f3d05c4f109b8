/**
 * Share request (共享申请) state machine — pure, exhaustive (cn-rules.md §3.1, issue 5).
 *
 *   draft ──submit──▶ approved                 (every resource 无条件共享: auto-approved, purpose still recorded)
 *   draft ──submit──▶ provider_review          (有条件共享; SLA stage provider_review)
 *   provider_review ──approve──▶ bureau_review (when the region's rules require it by level / sharing type)
 *   provider_review ──approve──▶ approved
 *   provider_review | bureau_review ──refuse(reason)──▶ refused
 *   provider_review ──return(reason)──▶ returned ──resubmit──▶ provider_review   (SLA clock paused meanwhile)
 *   bureau_review ──approve──▶ approved
 *   refused ──request_coordination(reason)──▶ coordination_requested
 *   coordination_requested ──coordinate(grant)──▶ approved
 *   coordination_requested ──coordinate(uphold)──▶ coordinated          (refusal upheld; closed)
 *   draft | provider_review | bureau_review | returned | coordination_requested ──withdraw──▶ withdrawn
 *   provider_review | bureau_review | coordination_requested ──remind / escalate_overdue──▶ (same state)
 *
 * Items on the negative list (不予共享) can never be requested. An overdue case escalates; it is never
 * approved automatically. Each function returns the new state and the events to record, or a typed error.
 */
import { type DataLevel, highestLevel } from './levels.js';
import { fail, type MachineEvent, reasonOf, type TransitionResult } from './transition.js';
import type { AccessMode } from './grant-policy.js';

export type ShareType = 'unconditional' | 'conditional' | 'none';

export const SHARE_REQUEST_STATUSES = [
  'draft',
  'provider_review',
  'bureau_review',
  'returned',
  'approved',
  'refused',
  'coordination_requested',
  'coordinated',
  'withdrawn',
] as const;
export type ShareRequestStatus = (typeof SHARE_REQUEST_STATUSES)[number];

/** What the request asks for, with the catalog facts the rules need (filled in by the service). */
export interface RequestedItem {
  resourceId: string;
  item: string;
  shareType: ShareType;
  level: DataLevel;
}

export interface ShareRequestState {
  status: ShareRequestStatus;
  items: readonly RequestedItem[];
  modes: readonly AccessMode[];
  purpose: string;
  /** Set on submit from the region's rules. */
  bureauReviewRequired?: boolean;
  /** The scope the provider approved (what the grant will contain). */
  approvedScope?: ApprovedScope;
  refusal?: { by: 'provider' | 'bureau'; reason: string; legalBasis?: string };
  returnedReason?: string;
  coordinationReason?: string;
  coordinationOutcome?: 'granted' | 'upheld';
}

export interface ApprovedScope {
  items: ReadonlyArray<{ resourceId: string; item: string }>;
  modes: readonly AccessMode[];
  validFrom: string;
  validTo: string;
}

/** Region rules deciding whether the data bureau reviews after the provider. */
export interface BureauReviewRule {
  /** Bureau review when any requested item is at or above this level (e.g. 'important'). */
  minLevel?: DataLevel;
  /** Bureau review for every conditional request. */
  allConditional?: boolean;
}

export function bureauReviewRequired(items: readonly RequestedItem[], rule: BureauReviewRule): boolean {
  if (rule.allConditional && items.some((i) => i.shareType === 'conditional')) {
    return true;
  }
  if (rule.minLevel) {
    const top = highestLevel(items.map((i) => i.level));
    const order: DataLevel[] = ['general', 'important', 'core'];
    return top !== undefined && order.indexOf(top) >= order.indexOf(rule.minLevel);
  }
  return false;
}

export type Role = 'requester' | 'provider' | 'bureau' | 'system';

export type ShareRequestCommand =
  | { type: 'submit'; by: Role; rule: BureauReviewRule }
  | { type: 'approve'; by: Role; scope: ApprovedScope }
  | { type: 'refuse'; by: Role; reason: string; legalBasis?: string }
  | { type: 'return'; by: Role; reason: string }
  | { type: 'resubmit'; by: Role }
  | { type: 'request_coordination'; by: Role; reason: string }
  | { type: 'coordinate'; by: Role; outcome: 'granted'; scope: ApprovedScope; note?: string }
  | { type: 'coordinate'; by: Role; outcome: 'upheld'; note: string }
  | { type: 'withdraw'; by: Role; reason?: string }
  | { type: 'remind'; by: Role; workingDaysLeft: number }
  | { type: 'escalate_overdue'; by: Role };

export type ShareRequestEventType =
  | 'share_request.submitted'
  | 'share_request.auto_approved'
  | 'share_request.provider_review_started'
  | 'share_request.provider_approved'
  | 'share_request.bureau_review_started'
  | 'share_request.approved'
  | 'share_request.refused'
  | 'share_request.returned'
  | 'share_request.resubmitted'
  | 'share_request.coordination_requested'
  | 'share_request.coordinated'
  | 'share_request.withdrawn'
  | 'share_request.reminded'
  | 'share_request.overdue_escalated';

export type ShareRequestErrorCode =
  | 'INVALID_TRANSITION'
  | 'WRONG_ACTOR'
  | 'REASON_REQUIRED'
  | 'PURPOSE_REQUIRED'
  | 'NO_ITEMS'
  | 'NO_MODES'
  | 'ITEM_ON_NEGATIVE_LIST'
  | 'CORE_ITEM_REQUESTED'
  | 'SCOPE_EXCEEDS_REQUEST'
  | 'INVALID_VALIDITY';

type Result = TransitionResult<ShareRequestState, ShareRequestEventType, ShareRequestErrorCode>;
type Ev = MachineEvent<ShareRequestEventType>;

const OPEN: ReadonlySet<ShareRequestStatus> = new Set([
  'draft',
  'provider_review',
  'bureau_review',
  'returned',
  'coordination_requested',
]);
const TIMED: ReadonlySet<ShareRequestStatus> = new Set([
  'provider_review',
  'bureau_review',
  'coordination_requested',
]);

export function isTerminal(status: ShareRequestStatus): boolean {
  return !OPEN.has(status) && status !== 'refused';
}

/** Commands allowed in a status (for UIs and tests); actor and payload checks still apply. */
export function allowedCommands(status: ShareRequestStatus): Array<ShareRequestCommand['type']> {
  switch (status) {
    case 'draft':
      return ['submit', 'withdraw'];
    case 'provider_review':
      return ['approve', 'refuse', 'return', 'withdraw', 'remind', 'escalate_overdue'];
    case 'bureau_review':
      return ['approve', 'refuse', 'withdraw', 'remind', 'escalate_overdue'];
    case 'returned':
      return ['resubmit', 'withdraw'];
    case 'refused':
      return ['request_coordination'];
    case 'coordination_requested':
      return ['coordinate', 'withdraw', 'remind', 'escalate_overdue'];
    case 'approved':
    case 'coordinated':
    case 'withdrawn':
      return [];
  }
}

function checkScope(state: ShareRequestState, scope: ApprovedScope): Result | undefined {
  if (scope.items.length === 0) {
    return fail('NO_ITEMS');
  }
  if (scope.modes.length === 0) {
    return fail('NO_MODES');
  }
  const asked = new Set(state.items.map((i) => `${i.resourceId}\u0000${i.item}`));
  const extraItems = scope.items.filter((i) => !asked.has(`${i.resourceId}\u0000${i.item}`));
  const extraModes = scope.modes.filter((m) => !state.modes.includes(m));
  if (extraItems.length > 0 || extraModes.length > 0) {
    return fail('SCOPE_EXCEEDS_REQUEST', { items: extraItems, modes: extraModes });
  }
  const from = Date.parse(scope.validFrom);
  const to = Date.parse(scope.validTo);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    return fail('INVALID_VALIDITY', { validFrom: scope.validFrom, validTo: scope.validTo });
  }
  return undefined;
}

const ok = (state: ShareRequestState, events: Ev[]): Result => ({ ok: true, state, events });
const ev = (type: ShareRequestEventType, data: Record<string, unknown> = {}): Ev => ({ type, data });

/** Applies one command. Never throws for a rule violation; returns `{ ok: false, error }`. */
export function transitionShareRequest(state: ShareRequestState, cmd: ShareRequestCommand): Result {
  const s = state.status;
  if (!allowedCommands(s).includes(cmd.type)) {
    return fail('INVALID_TRANSITION', { status: s, command: cmd.type });
  }
  const need = (...roles: Role[]): Result | undefined =>
    roles.includes(cmd.by)
      ? undefined
      : fail('WRONG_ACTOR', { command: cmd.type, by: cmd.by, expected: roles });

  switch (cmd.type) {
    case 'submit': {
      const wrong = need('requester');
      if (wrong) {
        return wrong;
      }
      if (!reasonOf(state.purpose)) {
        return fail('PURPOSE_REQUIRED');
      }
      if (state.items.length === 0) {
        return fail('NO_ITEMS');
      }
      if (state.modes.length === 0) {
        return fail('NO_MODES');
      }
      const negative = state.items.filter((i) => i.shareType === 'none');
      if (negative.length > 0) {
        return fail('ITEM_ON_NEGATIVE_LIST', {
          items: negative.map((i) => ({ resourceId: i.resourceId, item: i.item })),
        });
      }
      const core = state.items.filter((i) => i.level === 'core');
      if (core.length > 0) {
        return fail('CORE_ITEM_REQUESTED', {
          items: core.map((i) => ({ resourceId: i.resourceId, item: i.item })),
        });
      }
      const submitted = ev('share_request.submitted', { purpose: state.purpose, items: state.items.length });
      if (state.items.every((i) => i.shareType === 'unconditional')) {
        return ok({ ...state, status: 'approved', bureauReviewRequired: false }, [
          submitted,
          ev('share_request.auto_approved', { reason: 'unconditional' }),
        ]);
      }
      const bureau = bureauReviewRequired(state.items, cmd.rule);
      return ok({ ...state, status: 'provider_review', bureauReviewRequired: bureau }, [
        submitted,
        ev('share_request.provider_review_started', {
          slaStage: 'provider_review',
          bureauReviewRequired: bureau,
        }),
      ]);
    }
    case 'approve': {
      const wrong = s === 'provider_review' ? need('provider') : need('bureau');
      if (wrong) {
        return wrong;
      }
      const bad = checkScope(state, cmd.scope);
      if (bad) {
        return bad;
      }
      if (s === 'provider_review' && state.bureauReviewRequired) {
        return ok({ ...state, status: 'bureau_review', approvedScope: cmd.scope }, [
          ev('share_request.provider_approved', { scope: cmd.scope }),
          ev('share_request.bureau_review_started', { slaStage: 'bureau_review' }),
        ]);
      }
      if (s === 'bureau_review' && state.approvedScope) {
        // The bureau may narrow the provider's scope, never widen it.
        const provider = new Set(state.approvedScope.items.map((i) => `${i.resourceId}\u0000${i.item}`));
        const wider = cmd.scope.items.filter((i) => !provider.has(`${i.resourceId}\u0000${i.item}`));
        const widerModes = cmd.scope.modes.filter((m) => !state.approvedScope!.modes.includes(m));
        if (wider.length > 0 || widerModes.length > 0) {
          return fail('SCOPE_EXCEEDS_REQUEST', { items: wider, modes: widerModes });
        }
      }
      return ok({ ...state, status: 'approved', approvedScope: cmd.scope }, [
        ...(s === 'provider_review' ? [ev('share_request.provider_approved', { scope: cmd.scope })] : []),
        ev('share_request.approved', { by: cmd.by, scope: cmd.scope }),
      ]);
    }
    case 'refuse': {
      const wrong = s === 'provider_review' ? need('provider') : need('bureau');
      if (wrong) {
        return wrong;
      }
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'refuse' });
      }
      const refusal: NonNullable<ShareRequestState['refusal']> = {
        by: s === 'provider_review' ? 'provider' : 'bureau',
        reason,
      };
      const basis = reasonOf(cmd.legalBasis);
      if (basis) {
        refusal.legalBasis = basis;
      }
      return ok({ ...state, status: 'refused', refusal }, [ev('share_request.refused', { ...refusal })]);
    }
    case 'return': {
      const wrong = need('provider');
      if (wrong) {
        return wrong;
      }
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'return' });
      }
      return ok({ ...state, status: 'returned', returnedReason: reason }, [
        ev('share_request.returned', { reason, slaPaused: true }),
      ]);
    }
    case 'resubmit': {
      const wrong = need('requester');
      if (wrong) {
        return wrong;
      }
      return ok({ ...state, status: 'provider_review' }, [
        ev('share_request.resubmitted', { slaResumed: true }),
      ]);
    }
    case 'request_coordination': {
      const wrong = need('requester');
      if (wrong) {
        return wrong;
      }
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'request_coordination' });
      }
      return ok({ ...state, status: 'coordination_requested', coordinationReason: reason }, [
        ev('share_request.coordination_requested', { reason, slaStage: 'coordination' }),
      ]);
    }
    case 'coordinate': {
      const wrong = need('bureau');
      if (wrong) {
        return wrong;
      }
      if (cmd.outcome === 'granted') {
        const bad = checkScope(state, cmd.scope);
        if (bad) {
          return bad;
        }
        return ok(
          { ...state, status: 'approved', approvedScope: cmd.scope, coordinationOutcome: 'granted' },
          [
            ev('share_request.coordinated', { outcome: 'granted', note: cmd.note ?? null }),
            ev('share_request.approved', { by: 'bureau', scope: cmd.scope }),
          ],
        );
      }
      const note = reasonOf(cmd.note);
      if (!note) {
        return fail('REASON_REQUIRED', { command: 'coordinate' });
      }
      return ok({ ...state, status: 'coordinated', coordinationOutcome: 'upheld' }, [
        ev('share_request.coordinated', { outcome: 'upheld', note }),
      ]);
    }
    case 'withdraw': {
      const wrong = need('requester');
      if (wrong) {
        return wrong;
      }
      return ok({ ...state, status: 'withdrawn' }, [
        ev('share_request.withdrawn', { from: s, reason: reasonOf(cmd.reason) ?? null }),
      ]);
    }
    case 'remind':
    case 'escalate_overdue': {
      const wrong = need('system');
      if (wrong) {
        return wrong;
      }
      if (!TIMED.has(s)) {
        return fail('INVALID_TRANSITION', { status: s, command: cmd.type });
      }
      return cmd.type === 'remind'
        ? ok(state, [ev('share_request.reminded', { status: s, workingDaysLeft: cmd.workingDaysLeft })])
        : ok(state, [ev('share_request.overdue_escalated', { status: s, escalateTo: 'data_bureau' })]);
    }
  }
}
