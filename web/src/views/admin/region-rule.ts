import { api, call } from '../../api/client';
import type { paths } from '../../api/schema';
import { session } from '../../session';

export type RuleBody = paths['/api/v1/sharing/rules']['put']['requestBody']['content']['application/json'];
export type Override = RuleBody['calendarOverrides'][number];
export type StageSla = { workingDays?: number; remindAtWorkingDaysLeft?: number[] };

/** The SLA stages in order, with the platform defaults (src/sharing/working-days.ts DEFAULT_SLA_POLICY). */
export const STAGES = [
  { stage: 'provider_review', workingDays: 10, reminders: [3, 1] },
  { stage: 'bureau_review', workingDays: 10, reminders: [3, 1] },
  { stage: 'compliance_review', workingDays: 2, reminders: [1] },
  { stage: 'coordination', workingDays: 10, reminders: [3, 1] },
  { stage: 'objection_verify', workingDays: 10, reminders: [3, 1] },
] as const;

/** The region rule as the PUT takes it (the GET answers loosely typed overrides). */
export async function loadRule(): Promise<RuleBody> {
  const r = await call(api.GET('/api/v1/sharing/rules'));
  return {
    bureauRule: {
      ...(r.bureauRule.minLevel
        ? { minLevel: r.bureauRule.minLevel as 'core' | 'important' | 'general' }
        : {}),
      ...(r.bureauRule.allConditional !== undefined ? { allConditional: r.bureauRule.allConditional } : {}),
    },
    sla: r.sla,
    calendarOverrides: r.calendarOverrides as Override[],
  };
}

export function saveRule(body: RuleBody): Promise<unknown> {
  return call(api.PUT('/api/v1/sharing/rules', { body }));
}

/** Only the data bureau changes the region rule: whether the signed-in user's organization is the bureau. */
export async function isBureau(): Promise<boolean> {
  const orgId = session.me?.orgId;
  if (!orgId || !session.me?.permissions.includes('share.decide')) {
    return false;
  }
  const org = await call(api.GET('/api/v1/orgs/{id}', { params: { path: { id: orgId } } }));
  return org.kind === 'data_bureau';
}
