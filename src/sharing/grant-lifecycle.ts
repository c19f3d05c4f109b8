/**
 * Grant lifecycle — pure state machine.
 *
 *   active ──suspend(reason)──▶ suspended ──resume──▶ active       (resume refused once the window has ended)
 *   active | suspended ──revoke(reason)──▶ revoked                 (final; effective at once, open streams too)
 *   active | suspended ──expire (now ≥ validTo)──▶ expired
 *   active | suspended | expired ──renew(validTo' > validTo, > now)──▶ active (a suspended grant stays suspended)
 *
 * `effectiveGrantStatus` reads the status at an instant: an active grant past its window counts as expired even
 * before the `expire` command has been recorded, so enforcement never depends on a background job.
 */
import { fail, type MachineEvent, reasonOf, type TransitionResult } from './transition.js';

export const GRANT_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export interface GrantLifecycleState {
  status: GrantStatus;
  validFrom: Date;
  validTo: Date;
  suspendedReason?: string;
  revokedReason?: string;
}

export type GrantCommand =
  | { type: 'suspend'; reason: string }
  | { type: 'resume'; now: Date }
  | { type: 'revoke'; reason: string }
  | { type: 'expire'; now: Date }
  | { type: 'renew'; validTo: Date; now: Date };

export type GrantEventType =
  'grant.suspended' | 'grant.resumed' | 'grant.revoked' | 'grant.expired' | 'grant.renewed';
export type GrantErrorCode =
  'INVALID_TRANSITION' | 'REASON_REQUIRED' | 'NOT_YET_EXPIRED' | 'GRANT_EXPIRED' | 'INVALID_VALIDITY';

type Result = TransitionResult<GrantLifecycleState, GrantEventType, GrantErrorCode>;
const ok = (state: GrantLifecycleState, type: GrantEventType, data: Record<string, unknown>): Result => ({
  ok: true,
  state,
  events: [{ type, data } satisfies MachineEvent<GrantEventType>],
});

/** The status that enforcement must use at `now`. */
export function effectiveGrantStatus(g: GrantLifecycleState, now: Date): GrantStatus {
  if ((g.status === 'active' || g.status === 'suspended') && now.getTime() >= g.validTo.getTime()) {
    return 'expired';
  }
  return g.status;
}

export function transitionGrant(g: GrantLifecycleState, cmd: GrantCommand): Result {
  const invalid = () => fail<GrantErrorCode>('INVALID_TRANSITION', { status: g.status, command: cmd.type });
  switch (cmd.type) {
    case 'suspend': {
      if (g.status !== 'active') {
        return invalid();
      }
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'suspend' });
      }
      return ok({ ...g, status: 'suspended', suspendedReason: reason }, 'grant.suspended', { reason });
    }
    case 'resume': {
      if (g.status !== 'suspended') {
        return invalid();
      }
      if (cmd.now.getTime() >= g.validTo.getTime()) {
        return fail('GRANT_EXPIRED', { validTo: g.validTo.toISOString() });
      }
      const resumed: GrantLifecycleState = { ...g, status: 'active' };
      delete resumed.suspendedReason;
      return ok(resumed, 'grant.resumed', {});
    }
    case 'revoke': {
      if (g.status !== 'active' && g.status !== 'suspended') {
        return invalid();
      }
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'revoke' });
      }
      return ok({ ...g, status: 'revoked', revokedReason: reason }, 'grant.revoked', {
        reason,
        from: g.status,
      });
    }
    case 'expire': {
      if (g.status !== 'active' && g.status !== 'suspended') {
        return invalid();
      }
      if (cmd.now.getTime() < g.validTo.getTime()) {
        return fail('NOT_YET_EXPIRED', { validTo: g.validTo.toISOString() });
      }
      return ok({ ...g, status: 'expired' }, 'grant.expired', { validTo: g.validTo.toISOString() });
    }
    case 'renew': {
      if (g.status === 'revoked') {
        return invalid();
      }
      if (cmd.validTo.getTime() <= g.validTo.getTime() || cmd.validTo.getTime() <= cmd.now.getTime()) {
        return fail('INVALID_VALIDITY', {
          validTo: cmd.validTo.toISOString(),
          current: g.validTo.toISOString(),
        });
      }
      const status: GrantStatus = g.status === 'suspended' ? 'suspended' : 'active';
      return ok({ ...g, status, validTo: cmd.validTo }, 'grant.renewed', {
        from: g.validTo.toISOString(),
        to: cmd.validTo.toISOString(),
      });
    }
  }
}
