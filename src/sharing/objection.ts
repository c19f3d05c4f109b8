/**
 * Objection / correction (数据异议 / 纠错) — pure state machine (cn-rules.md §3.2).
 *
 *   reported ──start_verification (provider)──▶ provider_verifying     (SLA stage objection_verify)
 *   provider_verifying ──correct(correction)──▶ corrected              (old/new value and evidence kept)
 *   provider_verifying ──reject(reason)──▶ rejected
 *   corrected | rejected ──notify_consumer──▶ closed                   (the reporter is told; on correction,
 *                                                                       every holder of an active grant too)
 *   reported | provider_verifying ──withdraw (reporter)──▶ withdrawn
 *   provider_verifying ──remind / escalate_overdue (system)──▶ provider_verifying
 */
import { fail, type MachineEvent, reasonOf, type TransitionResult } from './transition.js';

export const OBJECTION_STATUSES = [
  'reported',
  'provider_verifying',
  'corrected',
  'rejected',
  'closed',
  'withdrawn',
] as const;
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];

export interface Correction {
  item: string;
  recordKey: string;
  oldValue: unknown;
  newValue: unknown;
  /** Reference to the new version / evidence (e.g. dataset version id). */
  evidence?: string;
}

export interface ObjectionState {
  status: ObjectionStatus;
  resourceId: string;
  items: readonly string[];
  recordKeys: readonly string[];
  description: string;
  corrections?: readonly Correction[];
  rejectionReason?: string;
  /** Who was told when the case closed. */
  notified?: readonly string[];
}

export type ObjectionActor = 'reporter' | 'provider' | 'system';

export type ObjectionCommand =
  | { type: 'start_verification'; by: ObjectionActor }
  | { type: 'correct'; by: ObjectionActor; corrections: readonly Correction[] }
  | { type: 'reject'; by: ObjectionActor; reason: string }
  | { type: 'notify_consumer'; by: ObjectionActor; recipients: readonly string[] }
  | { type: 'withdraw'; by: ObjectionActor }
  | { type: 'remind'; by: ObjectionActor; workingDaysLeft: number }
  | { type: 'escalate_overdue'; by: ObjectionActor };

export type ObjectionEventType =
  | 'objection.verification_started'
  | 'objection.corrected'
  | 'objection.rejected'
  | 'objection.consumer_notified'
  | 'objection.withdrawn'
  | 'objection.reminded'
  | 'objection.overdue_escalated';

export type ObjectionErrorCode =
  | 'INVALID_TRANSITION'
  | 'WRONG_ACTOR'
  | 'REASON_REQUIRED'
  | 'CORRECTION_REQUIRED'
  | 'CORRECTION_OUTSIDE_OBJECTION'
  | 'RECIPIENTS_REQUIRED';

type Result = TransitionResult<ObjectionState, ObjectionEventType, ObjectionErrorCode>;

/** The minimal valid report (checked by the service before the first state is stored). */
export function validateObjectionReport(o: Omit<ObjectionState, 'status'>): ObjectionErrorCode | undefined {
  if (!reasonOf(o.description)) {
    return 'REASON_REQUIRED';
  }
  if (o.items.length === 0 && o.recordKeys.length === 0) {
    return 'CORRECTION_REQUIRED';
  }
  return undefined;
}

const ALLOWED: Record<ObjectionStatus, { cmds: Array<ObjectionCommand['type']> }> = {
  reported: { cmds: ['start_verification', 'withdraw'] },
  provider_verifying: { cmds: ['correct', 'reject', 'withdraw', 'remind', 'escalate_overdue'] },
  corrected: { cmds: ['notify_consumer'] },
  rejected: { cmds: ['notify_consumer'] },
  closed: { cmds: [] },
  withdrawn: { cmds: [] },
};

const ROLE: Record<ObjectionCommand['type'], ObjectionActor[]> = {
  start_verification: ['provider', 'system'],
  correct: ['provider'],
  reject: ['provider'],
  notify_consumer: ['system', 'provider'],
  withdraw: ['reporter'],
  remind: ['system'],
  escalate_overdue: ['system'],
};

export function allowedObjectionCommands(status: ObjectionStatus): Array<ObjectionCommand['type']> {
  return [...ALLOWED[status].cmds];
}

export function transitionObjection(o: ObjectionState, cmd: ObjectionCommand): Result {
  if (!ALLOWED[o.status].cmds.includes(cmd.type)) {
    return fail('INVALID_TRANSITION', { status: o.status, command: cmd.type });
  }
  if (!ROLE[cmd.type].includes(cmd.by)) {
    return fail('WRONG_ACTOR', { command: cmd.type, by: cmd.by, expected: ROLE[cmd.type] });
  }
  const done = (state: ObjectionState, type: ObjectionEventType, data: Record<string, unknown>): Result => ({
    ok: true,
    state,
    events: [{ type, data } satisfies MachineEvent<ObjectionEventType>],
  });
  switch (cmd.type) {
    case 'start_verification':
      return done({ ...o, status: 'provider_verifying' }, 'objection.verification_started', {
        slaStage: 'objection_verify',
      });
    case 'correct': {
      if (cmd.corrections.length === 0) {
        return fail('CORRECTION_REQUIRED');
      }
      const outside = cmd.corrections.filter(
        (c) =>
          (o.items.length > 0 && !o.items.includes(c.item)) ||
          (o.recordKeys.length > 0 && !o.recordKeys.includes(c.recordKey)),
      );
      if (outside.length > 0) {
        return fail('CORRECTION_OUTSIDE_OBJECTION', {
          corrections: outside.map((c) => ({ item: c.item, recordKey: c.recordKey })),
        });
      }
      return done({ ...o, status: 'corrected', corrections: cmd.corrections }, 'objection.corrected', {
        corrections: cmd.corrections,
      });
    }
    case 'reject': {
      const reason = reasonOf(cmd.reason);
      if (!reason) {
        return fail('REASON_REQUIRED', { command: 'reject' });
      }
      return done({ ...o, status: 'rejected', rejectionReason: reason }, 'objection.rejected', { reason });
    }
    case 'notify_consumer': {
      if (cmd.recipients.length === 0) {
        return fail('RECIPIENTS_REQUIRED');
      }
      const recipients = [...new Set(cmd.recipients)];
      return done({ ...o, status: 'closed', notified: recipients }, 'objection.consumer_notified', {
        outcome: o.status,
        recipients,
      });
    }
    case 'withdraw':
      return done({ ...o, status: 'withdrawn' }, 'objection.withdrawn', { from: o.status });
    case 'remind':
      return done(o, 'objection.reminded', { workingDaysLeft: cmd.workingDaysLeft });
    case 'escalate_overdue':
      return done(o, 'objection.overdue_escalated', { escalateTo: 'data_bureau' });
  }
}
