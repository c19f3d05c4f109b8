/**
 * Sharing (共享): share requests and their decisions, grants and their lifecycle, objections (数据异议).
 * The rules are the pure state machines next to this file; this service loads state, applies one command,
 * stores the new state and records every event on the ledger in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { ResourceDto } from '../contracts/catalog.js';
import { type Actor, actorId, actorOrg, SYSTEM } from '../identity/actor.js';
import type { Access } from '../identity/access.js';
import type { OrgService } from '../identity/org.service.js';
import type { UserService } from '../identity/user.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Executor } from '../platform/db/database.js';
import type { AppError } from '../platform/errors.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../platform/errors.js';
import {
  type GrantCommand,
  type GrantLifecycleState,
  type GrantStatus,
  transitionGrant,
} from './grant-lifecycle.js';
import { ACCESS_MODES, type AccessMode, type Quota, type RateLimit } from './grant-policy.js';
import type { DataLevel } from './levels.js';
import type { MaskingProfile } from './masking.js';
import {
  type ObjectionCommand,
  type ObjectionState,
  transitionObjection,
  validateObjectionReport,
} from './objection.js';
import {
  type ApprovedScope,
  type BureauReviewRule,
  type RequestedItem,
  type Role,
  type ShareRequestCommand,
  type ShareRequestState,
  type ShareType,
  transitionShareRequest,
} from './share-request.js';
import {
  type GrantRow,
  type ObjectionRow,
  type RequestRow,
  sharingRepository as repo,
} from './sharing.repository.js';
import type { GrantChanges } from './grant-changes.js';
import type { MachineEvent, TransitionError } from './transition.js';
import {
  addWorkingDays,
  computeDeadline,
  NATIONAL_CALENDAR_YEARS,
  nationalCalendar,
  shanghaiDate,
  shanghaiInstant,
  regionSlaPolicy,
  workingDaysBetween,
  type CalendarEntry,
  type SlaStage,
  type StageSla,
  type WorkingCalendar,
} from './working-days.js';

type Db = Executor;

/** Which request statuses a timed review step belongs to (a reminder for a step left behind is not sent). */
const STAGE_STATUS: Partial<Record<SlaStage, readonly string[]>> = {
  provider_review: ['provider_review'],
  bureau_review: ['bureau_review'],
  coordination: ['coordination_requested'],
};

/** The grant's terms set by the deciding approver (defaults: level-driven masking, no filter, no quota). */
export interface GrantTerms {
  rowFilter?: unknown;
  maskingProfile?: MaskingProfile;
  quota?: Quota;
  rate?: RateLimit;
  linkageScope?: string;
}

export interface RequestInput {
  resources: Array<{ resource: string; items: string[] }>;
  purpose: string;
  scenario: string;
  legalBasis: string;
  modes: AccessMode[];
  validFrom?: string;
  validTo: string;
  expectedVolume?: string;
  /** The consumer app the grant is for (its API key calls the data API); default: any of the org's callers. */
  appId?: string;
  /** Only for the system actor (CLI, demo): the requesting organization. */
  requesterOrgId?: string;
}

export interface DecisionInput {
  decision: 'approve' | 'refuse' | 'return';
  reason?: string;
  legalBasis?: string;
  /** Narrower scope than requested (items per resource, modes, validity). */
  items?: Array<{ resourceId: string; item: string }>;
  modes?: AccessMode[];
  validTo?: string;
  terms?: GrantTerms;
}

export interface RequestDto {
  id: string;
  status: string;
  requesterOrgId: string;
  requesterAppId: string | null;
  providerOrgId: string;
  purpose: string;
  scenario: string;
  legalBasis: string;
  modes: string[];
  validFrom: string;
  validTo: string;
  expectedVolume: string | null;
  items: Array<{ resourceId: string; item: string; shareType: string; level: string }>;
  bureauReviewRequired: boolean;
  refusal: { by: string; reason: string; legalBasis?: string } | null;
  returnedReason: string | null;
  coordinationReason: string | null;
  dueAt: string | null;
  /** Working days from today (Shanghai) to `dueAt`'s date by the region's calendar; negative when overdue. */
  workingDaysLeft: number | null;
  steps: Array<{
    stage: string;
    startedAt: string;
    dueAt: string | null;
    decidedAt: string | null;
    outcome: string | null;
    reason: string | null;
  }>;
  grantIds: string[];
  createdAt: string;
}

export interface GrantDto {
  id: string;
  requestId: string | null;
  consumerOrgId: string;
  consumerAppId: string | null;
  providerOrgId: string;
  resourceId: string;
  status: GrantStatus;
  items: string[];
  rowFilter: unknown;
  maskingProfile: Record<string, unknown>;
  modes: string[];
  quota: Quota | null;
  rate: RateLimit | null;
  validFrom: string;
  validTo: string;
  purpose: string;
  statusReason: string | null;
}

export interface ObjectionDto {
  id: string;
  status: string;
  reporterOrgId: string;
  providerOrgId: string;
  grantId: string | null;
  resourceId: string;
  items: string[];
  recordKeys: string[];
  description: string;
  rejectionReason: string | null;
  corrections: unknown[];
  notified: string[];
  dueAt: string | null;
  /** As on requests: working days left to `dueAt` (negative when overdue), null when closed. */
  workingDaysLeft: number | null;
  createdAt: string;
}

export interface NotificationDto {
  id: string;
  kind: 'deadline_reminder' | 'overdue_escalated';
  requestId: string;
  stepId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface SweepResult {
  at: string;
  reminded: Array<{
    requestId: string;
    stepId: string;
    stage: string;
    workingDaysLeft: number;
    recipients: number;
  }>;
  escalated: string[];
}

export interface RegionRuleDto {
  region: string;
  bureauRule: BureauReviewRule;
  sla: Partial<Record<SlaStage, Partial<StageSla>>>;
  calendarOverrides: CalendarEntry[];
}

const DEFAULT_REGION = 'default';
const DEFAULT_RULE: BureauReviewRule = { minLevel: 'important' };
const STRICTNESS: Record<ShareType, number> = { unconditional: 0, conditional: 1, none: 2 };
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** A pure-machine error as an HTTP-mapped domain error. */
export function machineError(e: TransitionError): AppError {
  const opts = { details: e.details as never, params: { code: e.code } };
  switch (e.code) {
    case 'INVALID_TRANSITION':
    case 'NOT_YET_EXPIRED':
    case 'GRANT_EXPIRED':
      return new ConflictError(e.code, e.messageKey, opts);
    case 'WRONG_ACTOR':
      return new ForbiddenError(e.code, e.messageKey, opts);
    default:
      return new ValidationError(e.code, e.messageKey, opts);
  }
}

export function toGrantDto(g: GrantRow, items: string[]): GrantDto {
  return {
    id: g.id,
    requestId: g.request_id,
    consumerOrgId: g.consumer_org_id,
    consumerAppId: g.consumer_app_id,
    providerOrgId: g.provider_org_id,
    resourceId: g.resource_id,
    status: g.status as GrantStatus,
    items,
    rowFilter: g.row_filter ?? null,
    maskingProfile: g.masking_profile,
    modes: g.modes,
    quota: (g.quota as Quota | null) ?? null,
    rate: (g.rate as RateLimit | null) ?? null,
    validFrom: new Date(g.valid_from).toISOString(),
    validTo: new Date(g.valid_to).toISOString(),
    purpose: g.purpose,
    statusReason: g.status_reason,
  };
}

function toObjectionDto(o: ObjectionRow, workingDaysLeft: number | null = null): ObjectionDto {
  const s = o.state as unknown as ObjectionState;
  return {
    id: o.id,
    status: o.status,
    reporterOrgId: o.reporter_org_id,
    providerOrgId: o.provider_org_id,
    grantId: o.grant_id,
    resourceId: o.resource_id,
    items: [...s.items],
    recordKeys: [...s.recordKeys],
    description: s.description,
    rejectionReason: s.rejectionReason ?? null,
    corrections: [...(s.corrections ?? [])],
    notified: [...(s.notified ?? [])],
    dueAt: iso(o.due_at),
    workingDaysLeft,
    createdAt: new Date(o.created_at).toISOString(),
  };
}

export class SharingService {
  constructor(
    private readonly deps: {
      db: Db;
      access: Access;
      ledger: LedgerService;
      orgs: OrgService;
      catalog: CatalogService;
      /** Who the approvers of a step are (deadline reminders and escalations go to them). */
      users?: UserService;
      /** Told after a grant's status or validity changed (the data pipeline drops its cache of it). */
      grantChanges?: GrantChanges;
      /** Clock (tests move it to check deadlines and validity). */
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  // ── who is who ──────────────────────────────────────────────────────────────────────────────

  async isBureau(actor: Actor): Promise<boolean> {
    if (actor.kind === 'system') {
      return true;
    }
    const org = actorOrg(actor);
    if (!org || !this.deps.access.holds(actor, 'share.decide')) {
      return false;
    }
    return (await this.deps.orgs.get(SYSTEM, org)).kind === 'data_bureau';
  }

  /** The provider's approver (share.decide in the provider org) or the system actor. */
  private async isProvider(actor: Actor, providerOrgId: string): Promise<boolean> {
    if (actor.kind === 'system') {
      return true;
    }
    return (await this.deps.access.check(actor, 'share.decide', [providerOrgId])).has(providerOrgId);
  }

  private async roleFor(actor: Actor, r: RequestRow, wanted: Role): Promise<Role> {
    if (wanted === 'requester') {
      if (actor.kind === 'system' || actorOrg(actor) === r.requester_org_id) {
        await this.deps.access.require(actor, 'share.request', [r.requester_org_id]);
        return 'requester';
      }
    } else if (wanted === 'provider') {
      if (await this.isProvider(actor, r.provider_org_id)) {
        return 'provider';
      }
    } else if (wanted === 'bureau') {
      if (await this.isBureau(actor)) {
        return 'bureau';
      }
    }
    if (actor.kind === 'anonymous') {
      await this.deps.access.require(actor, 'share.read');
    }
    throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: `share:${wanted}` } });
  }

  private async requireSees(actor: Actor, orgIds: string[]): Promise<void> {
    await this.deps.access.require(actor, 'share.read');
    if (this.deps.access.reach(actor, 'share.read') === 'all' || (await this.isBureau(actor))) {
      return;
    }
    const org = actorOrg(actor);
    if (!org || !orgIds.includes(org)) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'share.read' } });
    }
  }

  private async scopeOrg(actor: Actor): Promise<string | null> {
    await this.deps.access.require(actor, 'share.read');
    if (this.deps.access.reach(actor, 'share.read') === 'all' || (await this.isBureau(actor))) {
      return null;
    }
    return actorOrg(actor);
  }

  // ── region rule, calendar, deadlines ─────────────────────────────────────────────────────────

  async regionRule(actor: Actor): Promise<RegionRuleDto> {
    await this.deps.access.require(actor, 'share.read');
    return this.rule(this.deps.db);
  }

  private async rule(db: Db): Promise<RegionRuleDto> {
    const r = await repo.regionRule(db, DEFAULT_REGION);
    return {
      region: DEFAULT_REGION,
      bureauRule: (r?.bureau_rule as BureauReviewRule | undefined) ?? DEFAULT_RULE,
      sla: (r?.sla as RegionRuleDto['sla'] | undefined) ?? {},
      calendarOverrides: (r?.calendar_overrides as CalendarEntry[] | undefined) ?? [],
    };
  }

  /** The bureau (or the local operator) sets the region's review rule, SLAs and calendar overrides. */
  async setRegionRule(actor: Actor, input: Omit<RegionRuleDto, 'region'>): Promise<RegionRuleDto> {
    if (!(await this.isBureau(actor))) {
      await this.deps.access.require(actor, 'share.decide');
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'share:bureau' } });
    }
    try {
      // Both throw on a rule they cannot use: validated by building them.
      regionSlaPolicy(input.sla);
      nationalCalendar({ overrides: input.calendarOverrides });
    } catch (e) {
      throw new ValidationError('SHARING_RULE_INVALID', 'sharing.error.ruleInvalid', {
        params: { message: (e as Error).message },
      });
    }
    return this.deps.db.transaction().execute(async (trx) => {
      await repo.putRegionRule(trx, {
        region: DEFAULT_REGION,
        bureau_rule: JSON.stringify(input.bureauRule),
        sla: JSON.stringify(input.sla),
        calendar_overrides: JSON.stringify(input.calendarOverrides),
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'sharing.region_rule.updated',
        subjectType: 'sharing_region_rule',
        subjectId: DEFAULT_REGION,
        data: { bureauRule: input.bureauRule, sla: input.sla, overrides: input.calendarOverrides.length },
      });
      return { region: DEFAULT_REGION, ...input };
    });
  }

  private async deadline(db: Db, stage: SlaStage, start: Date): Promise<Date> {
    const rule = await this.rule(db);
    return computeDeadline(
      start,
      stage,
      regionSlaPolicy(rule.sla),
      nationalCalendar({ overrides: rule.calendarOverrides }),
    ).dueAt;
  }

  /** The region's working calendar (national holidays and 调休 with the region's overrides). */
  private async workingCalendar(db: Db): Promise<WorkingCalendar> {
    return nationalCalendar({ overrides: (await this.rule(db)).calendarOverrides });
  }

  /** Working days from today to the due date (the console's countdown), by the region's calendar. */
  private workingDaysLeft(cal: WorkingCalendar, due: Date | string | null): number | null {
    return due === null
      ? null
      : workingDaysBetween(shanghaiDate(this.now()), shanghaiDate(new Date(due)), cal);
  }

  /** `cal` is passed by lists, so that one page reads the region's rule once, not once per row. */
  private async objectionDto(db: Db, o: ObjectionRow, cal?: WorkingCalendar): Promise<ObjectionDto> {
    return toObjectionDto(o, this.workingDaysLeft(cal ?? (await this.workingCalendar(db)), o.due_at));
  }

  // ── requests ────────────────────────────────────────────────────────────────────────────────

  async createRequest(actor: Actor, input: RequestInput): Promise<RequestDto> {
    const requesterOrgId = actor.kind === 'system' ? input.requesterOrgId : actorOrg(actor);
    if (!requesterOrgId) {
      await this.deps.access.require(actor, 'share.request');
      throw new ValidationError('SHARING_REQUESTER_REQUIRED', 'sharing.error.requesterRequired', {
        details: { field: 'requesterOrgId' },
      });
    }
    await this.deps.access.require(actor, 'share.request', [requesterOrgId]);
    if (input.resources.length === 0) {
      throw new ValidationError('NO_ITEMS', 'sharing.error.NO_ITEMS', { details: { field: 'resources' } });
    }
    const resources: ResourceDto[] = [];
    const items: RequestedItem[] = [];
    for (const [i, ask] of input.resources.entries()) {
      const res = await this.deps.catalog.assertRequestable(actor, ask.resource);
      resources.push(res);
      for (const name of new Set(ask.items)) {
        const it = res.items.find((x) => x.name === name);
        if (!it) {
          throw new ValidationError('ITEM_UNKNOWN', 'sharing.error.itemUnknown', {
            params: { item: name, resource: res.code },
            details: { field: `resources[${i}].items`, item: name },
          });
        }
        const shareType =
          STRICTNESS[res.shareType] >= STRICTNESS[it.shareType] ? res.shareType : it.shareType;
        items.push({ resourceId: res.id, item: name, shareType, level: it.level as DataLevel });
      }
    }
    const providers = new Set(resources.map((r) => r.providerOrgId));
    if (providers.size !== 1) {
      throw new ValidationError('SHARING_ONE_PROVIDER', 'sharing.error.oneProvider', {
        details: { field: 'resources' },
      });
    }
    const providerOrgId = resources[0]!.providerOrgId;
    const now = this.now();
    const validFrom = input.validFrom ? new Date(input.validFrom) : now;
    const validTo = new Date(input.validTo);
    if (
      !Number.isFinite(validFrom.getTime()) ||
      !Number.isFinite(validTo.getTime()) ||
      validTo <= validFrom
    ) {
      throw new ValidationError('INVALID_VALIDITY', 'sharing.error.INVALID_VALIDITY', {
        details: { field: 'validTo' },
      });
    }
    const modes = [...new Set(input.modes)].filter((m) => ACCESS_MODES.includes(m));
    const state: ShareRequestState = { status: 'draft', items, modes, purpose: input.purpose };
    return this.deps.db.transaction().execute(async (trx) => {
      const rule = await this.rule(trx);
      const res = transitionShareRequest(state, { type: 'submit', by: 'requester', rule: rule.bureauRule });
      if (!res.ok) {
        throw machineError(res.error);
      }
      const id = randomUUID();
      await repo.insertRequest(
        trx,
        {
          id,
          requester_org_id: requesterOrgId,
          requester_app_id: input.appId ?? (actor.kind === 'app' ? actor.id : null),
          requested_by: actorId(actor),
          provider_org_id: providerOrgId,
          status: res.state.status,
          purpose: input.purpose,
          scenario: input.scenario,
          legal_basis: input.legalBasis,
          modes: JSON.stringify(modes),
          valid_from: validFrom,
          valid_to: validTo,
          expected_volume: input.expectedVolume ?? null,
          state: JSON.stringify(res.state),
        },
        items.map((i) => ({
          request_id: id,
          resource_id: i.resourceId,
          item: i.item,
          share_type: i.shareType,
          level: i.level,
        })),
      );
      const row = (await repo.request(trx, id))!;
      await this.recordRequestEvents(trx, actor, row, res.events, {
        scenario: input.scenario,
        legalBasis: input.legalBasis,
        modes,
      });
      await this.afterTransition(trx, actor, row, res.state, 'submitted', null, {});
      return this.requestDto(trx, await this.requestRow(trx, id));
    });
  }

  async getRequest(actor: Actor, id: string): Promise<RequestDto> {
    const r = await this.requestRow(this.deps.db, id);
    await this.requireSees(actor, [r.requester_org_id, r.provider_org_id]);
    return this.requestDto(this.deps.db, r);
  }

  async listRequests(actor: Actor, status?: string): Promise<RequestDto[]> {
    const org = await this.scopeOrg(actor);
    const rows = await repo.listRequests(this.deps.db, org, status);
    const cal = await this.workingCalendar(this.deps.db);
    return Promise.all(rows.map((r) => this.requestDto(this.deps.db, r, cal)));
  }

  /** Provider (then, where the rule says, bureau) decides: approve with grant terms, refuse or return. */
  async decide(actor: Actor, id: string, input: DecisionInput): Promise<RequestDto> {
    return this.command(actor, id, async (row, state) => {
      const by = await this.roleFor(actor, row, state.status === 'bureau_review' ? 'bureau' : 'provider');
      if (input.decision === 'refuse') {
        return {
          by,
          cmd: {
            type: 'refuse',
            by,
            reason: input.reason ?? '',
            ...(input.legalBasis ? { legalBasis: input.legalBasis } : {}),
          },
        };
      }
      if (input.decision === 'return') {
        return { by, cmd: { type: 'return', by, reason: input.reason ?? '' } };
      }
      const base = state.approvedScope;
      const scope: ApprovedScope = {
        items:
          input.items ?? base?.items ?? state.items.map((i) => ({ resourceId: i.resourceId, item: i.item })),
        modes: input.modes ?? base?.modes ?? state.modes,
        validFrom: new Date(row.valid_from).toISOString(),
        validTo: input.validTo ?? base?.validTo ?? new Date(row.valid_to).toISOString(),
      };
      return { by, cmd: { type: 'approve', by, scope }, terms: input.terms };
    });
  }

  async resubmit(actor: Actor, id: string): Promise<RequestDto> {
    return this.command(actor, id, async (row) => {
      const by = await this.roleFor(actor, row, 'requester');
      return { by, cmd: { type: 'resubmit', by } };
    });
  }

  async withdraw(actor: Actor, id: string, reason?: string): Promise<RequestDto> {
    return this.command(actor, id, async (row) => {
      const by = await this.roleFor(actor, row, 'requester');
      return { by, cmd: { type: 'withdraw', by, ...(reason ? { reason } : {}) } };
    });
  }

  /** A refused requester asks the data bureau to coordinate (协调). */
  async requestCoordination(actor: Actor, id: string, reason: string): Promise<RequestDto> {
    return this.command(actor, id, async (row) => {
      const by = await this.roleFor(actor, row, 'requester');
      return { by, cmd: { type: 'request_coordination', by, reason } };
    });
  }

  async coordinate(
    actor: Actor,
    id: string,
    input: { outcome: 'granted' | 'upheld'; note?: string; terms?: GrantTerms },
  ): Promise<RequestDto> {
    return this.command(actor, id, async (row, state) => {
      const by = await this.roleFor(actor, row, 'bureau');
      if (input.outcome === 'upheld') {
        return { by, cmd: { type: 'coordinate', by, outcome: 'upheld', note: input.note ?? '' } };
      }
      const scope: ApprovedScope = {
        items: state.items.map((i) => ({ resourceId: i.resourceId, item: i.item })),
        modes: state.modes,
        validFrom: new Date(row.valid_from).toISOString(),
        validTo: new Date(row.valid_to).toISOString(),
      };
      return {
        by,
        cmd: {
          type: 'coordinate',
          by,
          outcome: 'granted',
          scope,
          ...(input.note ? { note: input.note } : {}),
        },
        terms: input.terms,
      };
    });
  }

  /**
   * The deadline sweep (run every few minutes by `serve`, by the bureau through the API, or by the CLI):
   * reminders to the approvers of every open review step whose reminder time has come (per the region's
   * `remindAtWorkingDaysLeft`, default 3 and 1 working days left, at 09:00 Shanghai; each sent once, only
   * the most urgent one if the sweep is late), then escalation of overdue steps to the data bureau.
   */
  async sweepDeadlines(actor: Actor): Promise<SweepResult> {
    await this.requireBureauOrSystem(actor);
    const now = this.now();
    const rule = await this.rule(this.deps.db);
    const policy = regionSlaPolicy(rule.sla);
    const cal = nationalCalendar({ overrides: rule.calendarOverrides });
    const reminded: SweepResult['reminded'] = [];
    for (const step of await repo.openTimedSteps(this.deps.db)) {
      const stage = step.stage as SlaStage;
      const sla = policy[stage];
      const dueAt = new Date(step.due_at as Date);
      if (!sla || now.getTime() > dueAt.getTime() || !STAGE_STATUS[stage]?.includes(step.status)) {
        continue;
      }
      const dueDate = shanghaiDate(dueAt);
      const started = new Date(step.started_at).getTime();
      const due = [...new Set(sla.remindAtWorkingDaysLeft)].filter((k) => {
        const at = shanghaiInstant(addWorkingDays(dueDate, -k, cal), sla.reminderTime ?? '09:00');
        return at.getTime() > started && at.getTime() <= now.getTime();
      });
      if (due.length === 0) {
        continue;
      }
      const recipients = await this.approversOf(stage, step.provider_org_id);
      const sent = await this.deps.db.transaction().execute(async (trx) => {
        const fresh = await repo.markReminders(trx, step.id, due, now);
        if (fresh.length === 0) {
          return null; // another sweep sent them
        }
        const left = Math.min(...fresh);
        const row = (await repo.request(trx, step.request_id, true))!;
        const res = transitionShareRequest(row.state as unknown as ShareRequestState, {
          type: 'remind',
          by: 'system',
          workingDaysLeft: left,
        });
        if (!res.ok || row.status !== step.status) {
          return null;
        }
        const data = {
          stage,
          status: row.status,
          workingDaysLeft: left,
          dueAt: dueAt.toISOString(),
          purpose: row.purpose,
          requesterOrgId: row.requester_org_id,
          providerOrgId: row.provider_org_id,
        };
        await repo.insertNotifications(
          trx,
          recipients.map((u) => ({
            id: randomUUID(),
            user_id: u.id,
            org_id: u.orgId,
            kind: 'deadline_reminder',
            request_id: row.id,
            step_id: step.id,
            data: JSON.stringify(data),
            created_at: now,
          })),
        );
        await this.recordRequestEvents(trx, SYSTEM, row, res.events, {
          stepId: step.id,
          stage,
          dueAt: dueAt.toISOString(),
          recipients: recipients.map((u) => u.id),
        });
        return left;
      });
      if (sent !== null) {
        reminded.push({
          requestId: step.request_id,
          stepId: step.id,
          stage,
          workingDaysLeft: sent,
          recipients: recipients.length,
        });
      }
    }
    const escalated = await this.escalateOverdue(actor);
    return { at: now.toISOString(), reminded, escalated };
  }

  /** The signed-in person's notifications (newest first, at most 200). */
  async notifications(actor: Actor, opts: { unread?: boolean | undefined } = {}): Promise<NotificationDto[]> {
    const userId = this.notifiable(actor);
    return (await repo.notifications(this.deps.db, userId, opts.unread === true)).map((n) => ({
      id: n.id,
      kind: n.kind as NotificationDto['kind'],
      requestId: n.request_id,
      stepId: n.step_id,
      data: n.data as Record<string, unknown>,
      createdAt: new Date(n.created_at).toISOString(),
      readAt: n.read_at ? new Date(n.read_at).toISOString() : null,
    }));
  }

  /** Marks the signed-in person's notifications read (the given ids, or all). */
  async markNotificationsRead(actor: Actor, ids: string[] | 'all'): Promise<{ updated: number }> {
    const userId = this.notifiable(actor);
    return { updated: await repo.markRead(this.deps.db, userId, ids, this.now()) };
  }

  private notifiable(actor: Actor): string {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    if (actor.kind !== 'user') {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'user' } });
    }
    return actor.id;
  }

  private async requireBureauOrSystem(actor: Actor): Promise<void> {
    if (actor.kind === 'anonymous') {
      throw new UnauthenticatedError();
    }
    if (actor.kind !== 'system' && !(await this.isBureau(actor))) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'share:bureau' } });
    }
  }

  /** Active approvers who take a stage's decisions: the provider's, or the data bureau's. */
  private async approversOf(stage: SlaStage, providerOrgId: string) {
    const users = this.deps.users;
    if (!users) {
      return [];
    }
    const orgIds =
      stage === 'provider_review' || stage === 'objection_verify'
        ? [providerOrgId]
        : (await this.deps.orgs.list(SYSTEM)).filter((o) => o.kind === 'data_bureau').map((o) => o.id);
    const out: Array<{ id: string; orgId: string }> = [];
    for (const orgId of orgIds) {
      for (const u of await users.list(SYSTEM, { orgId })) {
        if (u.status === 'active' && u.roles.includes('approver')) {
          out.push({ id: u.id, orgId: u.orgId });
        }
      }
    }
    return out;
  }

  /**
   * Escalates every open step past its due date to the data bureau (recorded once per step) and tells the
   * bureau's approvers. Returns the escalated request ids. Part of `sweepDeadlines`.
   */
  async escalateOverdue(actor: Actor): Promise<string[]> {
    await this.requireBureauOrSystem(actor);
    const now = this.now();
    const bureau = await this.approversOf('bureau_review', '');
    const out: string[] = [];
    for (const status of ['provider_review', 'bureau_review', 'coordination_requested']) {
      for (const r of await repo.listRequests(this.deps.db, null, status)) {
        if (!r.due_at || new Date(r.due_at).getTime() > now.getTime()) {
          continue;
        }
        await this.deps.db.transaction().execute(async (trx) => {
          const row = (await repo.request(trx, r.id, true))!;
          const state = row.state as unknown as ShareRequestState & { escalatedAt?: string };
          if (state.escalatedAt || row.status !== r.status) {
            return;
          }
          const res = transitionShareRequest(state, { type: 'escalate_overdue', by: 'system' });
          if (!res.ok) {
            return;
          }
          await repo.updateRequest(trx, r.id, {
            state: JSON.stringify({ ...res.state, escalatedAt: now.toISOString() }),
          });
          await this.recordRequestEvents(trx, SYSTEM, row, res.events, { dueAt: iso(row.due_at) });
          await repo.insertNotifications(
            trx,
            bureau.map((u) => ({
              id: randomUUID(),
              user_id: u.id,
              org_id: u.orgId,
              kind: 'overdue_escalated',
              request_id: row.id,
              step_id: null,
              data: JSON.stringify({
                status: row.status,
                dueAt: iso(row.due_at),
                purpose: row.purpose,
                requesterOrgId: row.requester_org_id,
                providerOrgId: row.provider_org_id,
              }),
              created_at: now,
            })),
          );
          out.push(r.id);
        });
      }
    }
    return out;
  }

  private async command(
    actor: Actor,
    id: string,
    build: (
      row: RequestRow,
      state: ShareRequestState,
    ) => Promise<{ by: Role; cmd: ShareRequestCommand; terms?: GrantTerms | undefined }>,
  ): Promise<RequestDto> {
    const pre = await this.requestRow(this.deps.db, id);
    const { cmd, terms } = await build(pre, pre.state as unknown as ShareRequestState);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await this.requestRow(trx, id, true);
      const state = row.state as unknown as ShareRequestState & { terms?: GrantTerms };
      const res = transitionShareRequest(state, cmd);
      if (!res.ok) {
        throw machineError(res.error);
      }
      const next = { ...res.state, ...(terms ? { terms } : state.terms ? { terms: state.terms } : {}) };
      await repo.updateRequest(trx, id, { status: next.status, state: JSON.stringify(next) });
      await this.recordRequestEvents(trx, actor, row, res.events, {});
      const reason = 'reason' in cmd ? (cmd.reason ?? null) : 'note' in cmd ? (cmd.note ?? null) : null;
      await this.afterTransition(trx, actor, row, next, cmd.type, reason, terms ?? state.terms ?? {});
      return this.requestDto(trx, await this.requestRow(trx, id));
    });
  }

  /** Steps and deadlines, and grants once approved. */
  private async afterTransition(
    trx: Db,
    actor: Actor,
    row: RequestRow,
    state: ShareRequestState,
    outcome: string,
    reason: string | null,
    terms: GrantTerms,
  ): Promise<void> {
    await repo.closeSteps(trx, row.id, outcome, actorId(actor), reason);
    const stage: SlaStage | undefined =
      state.status === 'provider_review'
        ? 'provider_review'
        : state.status === 'bureau_review'
          ? 'bureau_review'
          : state.status === 'coordination_requested'
            ? 'coordination'
            : undefined;
    const now = this.now();
    if (stage) {
      const due = await this.deadline(trx, stage, now);
      await repo.openStep(trx, { id: randomUUID(), request_id: row.id, stage, started_at: now, due_at: due });
      await repo.updateRequest(trx, row.id, { status: state.status, due_at: due });
    } else {
      await repo.updateRequest(trx, row.id, { status: state.status, due_at: null });
    }
    if (state.status === 'approved') {
      await this.createGrants(trx, actor, row, state, terms);
    }
  }

  private async createGrants(
    trx: Db,
    actor: Actor,
    row: RequestRow,
    state: ShareRequestState,
    terms: GrantTerms,
  ): Promise<void> {
    const scope: ApprovedScope = state.approvedScope ?? {
      items: state.items.map((i) => ({ resourceId: i.resourceId, item: i.item })),
      modes: state.modes,
      validFrom: new Date(row.valid_from).toISOString(),
      validTo: new Date(row.valid_to).toISOString(),
    };
    const byResource = new Map<string, string[]>();
    for (const i of scope.items) {
      byResource.set(i.resourceId, [...(byResource.get(i.resourceId) ?? []), i.item]);
    }
    for (const [resourceId, items] of byResource) {
      const id = randomUUID();
      await repo.insertGrant(
        trx,
        {
          id,
          request_id: row.id,
          consumer_org_id: row.requester_org_id,
          consumer_app_id: row.requester_app_id,
          provider_org_id: row.provider_org_id,
          resource_id: resourceId,
          status: 'active',
          row_filter: terms.rowFilter === undefined ? null : JSON.stringify(terms.rowFilter),
          masking_profile: JSON.stringify(terms.maskingProfile ?? {}),
          modes: JSON.stringify(scope.modes),
          quota: terms.quota ? JSON.stringify(terms.quota) : null,
          rate: terms.rate ? JSON.stringify(terms.rate) : null,
          valid_from: new Date(scope.validFrom),
          valid_to: new Date(scope.validTo),
          purpose: row.purpose,
          linkage_scope: terms.linkageScope ?? null,
        },
        items,
      );
      await this.deps.ledger.record(trx, actor, {
        type: 'grant.created',
        subjectType: 'grant',
        subjectId: id,
        orgId: row.provider_org_id,
        data: {
          requestId: row.id,
          consumerOrgId: row.requester_org_id,
          consumerAppId: row.requester_app_id,
          resourceId,
          items,
          modes: scope.modes,
          purpose: row.purpose,
          validFrom: scope.validFrom,
          validTo: scope.validTo,
          rowFilter: terms.rowFilter ?? null,
          maskingProfile: terms.maskingProfile ?? {},
          quota: terms.quota ?? null,
        },
      });
    }
  }

  private async recordRequestEvents(
    trx: Db,
    actor: Actor,
    row: RequestRow,
    events: MachineEvent[],
    extra: Record<string, unknown>,
  ): Promise<void> {
    for (const e of events) {
      await this.deps.ledger.record(trx, actor, {
        type: e.type,
        subjectType: 'share_request',
        subjectId: row.id,
        orgId: row.provider_org_id,
        data: { ...e.data, ...extra, requesterOrgId: row.requester_org_id, purpose: row.purpose },
      });
    }
  }

  private async requestRow(db: Db, id: string, forUpdate = false): Promise<RequestRow> {
    const r = await repo.request(db, id, forUpdate);
    if (!r) {
      throw new NotFoundError('SHARE_REQUEST_NOT_FOUND', 'sharing.error.requestNotFound', { params: { id } });
    }
    return r;
  }

  /** `cal` is passed by lists, so that one page reads the region's rule once, not once per row. */
  private async requestDto(db: Db, r: RequestRow, cal?: WorkingCalendar): Promise<RequestDto> {
    const id = r.id;
    const s = r.state as unknown as ShareRequestState;
    const [items, steps, grants] = await Promise.all([
      repo.requestItems(db, id),
      repo.steps(db, id),
      repo.grantsOfRequest(db, id),
    ]);
    return {
      id: r.id,
      status: r.status,
      requesterOrgId: r.requester_org_id,
      requesterAppId: r.requester_app_id,
      providerOrgId: r.provider_org_id,
      purpose: r.purpose,
      scenario: r.scenario,
      legalBasis: r.legal_basis,
      modes: r.modes,
      validFrom: new Date(r.valid_from).toISOString(),
      validTo: new Date(r.valid_to).toISOString(),
      expectedVolume: r.expected_volume,
      items: items.map((i) => ({
        resourceId: i.resource_id,
        item: i.item,
        shareType: i.share_type,
        level: i.level,
      })),
      bureauReviewRequired: s.bureauReviewRequired ?? false,
      refusal: s.refusal ?? null,
      returnedReason: s.returnedReason ?? null,
      coordinationReason: s.coordinationReason ?? null,
      dueAt: iso(r.due_at),
      workingDaysLeft: this.workingDaysLeft(cal ?? (await this.workingCalendar(db)), r.due_at),
      steps: steps.map((x) => ({
        stage: x.stage,
        startedAt: new Date(x.started_at).toISOString(),
        dueAt: iso(x.due_at),
        decidedAt: iso(x.decided_at),
        outcome: x.outcome,
        reason: x.reason,
      })),
      grantIds: grants.map((g) => g.id),
      createdAt: new Date(r.created_at).toISOString(),
    };
  }

  // ── grants ──────────────────────────────────────────────────────────────────────────────────

  async listGrants(actor: Actor): Promise<GrantDto[]> {
    const org = await this.scopeOrg(actor);
    const rows = await repo.listGrants(this.deps.db, org);
    return Promise.all(rows.map(async (g) => toGrantDto(g, await repo.grantItems(this.deps.db, g.id))));
  }

  async getGrant(actor: Actor, id: string): Promise<GrantDto> {
    const g = await this.grantRow(this.deps.db, id);
    await this.requireSees(actor, [g.consumer_org_id, g.provider_org_id]);
    return toGrantDto(g, await repo.grantItems(this.deps.db, id));
  }

  async suspendGrant(actor: Actor, id: string, reason: string): Promise<GrantDto> {
    return this.grantCommand(actor, id, { type: 'suspend', reason });
  }
  async resumeGrant(actor: Actor, id: string): Promise<GrantDto> {
    return this.grantCommand(actor, id, { type: 'resume', now: this.now() });
  }
  /** Revocation is effective at once: the next call, and an open stream's next batch, are refused. */
  async revokeGrant(actor: Actor, id: string, reason: string): Promise<GrantDto> {
    return this.grantCommand(actor, id, { type: 'revoke', reason });
  }
  async renewGrant(actor: Actor, id: string, validTo: string): Promise<GrantDto> {
    const to = new Date(validTo);
    if (!Number.isFinite(to.getTime())) {
      throw new ValidationError('INVALID_VALIDITY', 'sharing.error.INVALID_VALIDITY', {
        details: { field: 'validTo' },
      });
    }
    return this.grantCommand(actor, id, { type: 'renew', validTo: to, now: this.now() });
  }

  private async grantCommand(actor: Actor, id: string, cmd: GrantCommand): Promise<GrantDto> {
    const pre = await this.grantRow(this.deps.db, id);
    if (!(await this.isProvider(actor, pre.provider_org_id)) && !(await this.isBureau(actor))) {
      await this.deps.access.require(actor, 'share.decide', [pre.provider_org_id]);
    }
    const dto = await this.deps.db.transaction().execute(async (trx) => {
      const g = await this.grantRow(trx, id, true);
      const state: GrantLifecycleState = {
        status: g.status as GrantStatus,
        validFrom: new Date(g.valid_from),
        validTo: new Date(g.valid_to),
      };
      const res = transitionGrant(state, cmd);
      if (!res.ok) {
        throw machineError(res.error);
      }
      const reason = 'reason' in cmd ? cmd.reason : null;
      await repo.updateGrant(trx, id, {
        status: res.state.status,
        valid_to: res.state.validTo,
        status_reason: reason ?? (res.state.status === 'active' ? null : g.status_reason),
      });
      for (const e of res.events) {
        await this.deps.ledger.record(trx, actor, {
          type: e.type,
          subjectType: 'grant',
          subjectId: id,
          orgId: g.provider_org_id,
          data: { ...e.data, consumerOrgId: g.consumer_org_id, resourceId: g.resource_id },
        });
      }
      return toGrantDto((await repo.grant(trx, id))!, await repo.grantItems(trx, id));
    });
    this.deps.grantChanges?.changed(id);
    return dto;
  }

  private async grantRow(db: Db, id: string, forUpdate = false): Promise<GrantRow> {
    const g = await repo.grant(db, id, forUpdate);
    if (!g) {
      throw new NotFoundError('GRANT_NOT_FOUND', 'sharing.error.grantNotFound', { params: { id } });
    }
    return g;
  }

  // ── objections (数据异议) ───────────────────────────────────────────────────────────────────

  /** A consumer reports a wrong record or item of a resource it holds a grant for. */
  async reportObjection(
    actor: Actor,
    input: { grantId: string; items: string[]; recordKeys: string[]; description: string },
  ): Promise<ObjectionDto> {
    const g = await this.grantRow(this.deps.db, input.grantId);
    if (actor.kind !== 'system') {
      await this.deps.access.require(actor, 'share.request', [g.consumer_org_id]);
    }
    const granted = await repo.grantItems(this.deps.db, g.id);
    const stray = input.items.filter((i) => !granted.includes(i));
    if (stray.length > 0) {
      throw new ValidationError('ITEM_NOT_GRANTED', 'sharing.error.ITEM_NOT_GRANTED', {
        details: { field: 'items', items: stray },
      });
    }
    const state: ObjectionState = {
      status: 'reported',
      resourceId: g.resource_id,
      items: input.items,
      recordKeys: input.recordKeys,
      description: input.description,
    };
    const bad = validateObjectionReport(state);
    if (bad) {
      throw new ValidationError(bad, `sharing.error.${bad}`, { details: { field: 'description' } });
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const id = randomUUID();
      const due = await this.deadline(trx, 'objection_verify', this.now());
      await repo.insertObjection(trx, {
        id,
        reporter_org_id: g.consumer_org_id,
        reported_by: actorId(actor),
        provider_org_id: g.provider_org_id,
        grant_id: g.id,
        resource_id: g.resource_id,
        status: 'reported',
        state: JSON.stringify(state),
        due_at: due,
      });
      await this.deps.ledger.record(trx, actor, {
        type: 'objection.reported',
        subjectType: 'objection',
        subjectId: id,
        orgId: g.provider_org_id,
        data: {
          grantId: g.id,
          resourceId: g.resource_id,
          items: input.items,
          records: input.recordKeys.length,
          dueAt: due.toISOString(),
        },
      });
      return this.objectionDto(trx, (await repo.objection(trx, id))!);
    });
  }

  /**
   * The provider verifies and either corrects (with the corrections made) or rejects with a reason; the
   * reporting organization is told (objection.consumer_notified) in the same transaction.
   */
  async resolveObjection(
    actor: Actor,
    id: string,
    input:
      | {
          outcome: 'correct';
          corrections: Array<{
            item: string;
            recordKey: string;
            oldValue: unknown;
            newValue: unknown;
            evidence?: string;
          }>;
        }
      | { outcome: 'reject'; reason: string },
  ): Promise<ObjectionDto> {
    const pre = await this.objectionRow(this.deps.db, id);
    if (!(await this.isProvider(actor, pre.provider_org_id))) {
      await this.deps.access.require(actor, 'share.decide', [pre.provider_org_id]);
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const o = await this.objectionRow(trx, id, true);
      let state = o.state as unknown as ObjectionState;
      const cmds: ObjectionCommand[] = [];
      if (state.status === 'reported') {
        cmds.push({ type: 'start_verification', by: 'provider' });
      }
      cmds.push(
        input.outcome === 'correct'
          ? { type: 'correct', by: 'provider', corrections: input.corrections }
          : { type: 'reject', by: 'provider', reason: input.reason },
      );
      cmds.push({ type: 'notify_consumer', by: 'system', recipients: [o.reporter_org_id] });
      for (const cmd of cmds) {
        const res = transitionObjection(state, cmd);
        if (!res.ok) {
          throw machineError(res.error);
        }
        state = res.state;
        for (const e of res.events) {
          await this.deps.ledger.record(trx, cmd.by === 'system' ? SYSTEM : actor, {
            type: e.type,
            subjectType: 'objection',
            subjectId: id,
            orgId: o.provider_org_id,
            data: { ...e.data, reporterOrgId: o.reporter_org_id },
          });
        }
      }
      await repo.updateObjection(trx, id, {
        status: state.status,
        state: JSON.stringify(state),
        due_at: null,
      });
      return this.objectionDto(trx, (await repo.objection(trx, id))!);
    });
  }

  async listObjections(actor: Actor): Promise<ObjectionDto[]> {
    const org = await this.scopeOrg(actor);
    const rows = await repo.listObjections(this.deps.db, org);
    const cal = await this.workingCalendar(this.deps.db);
    return Promise.all(rows.map((o) => this.objectionDto(this.deps.db, o, cal)));
  }

  async getObjection(actor: Actor, id: string): Promise<ObjectionDto> {
    const o = await this.objectionRow(this.deps.db, id);
    await this.requireSees(actor, [o.reporter_org_id, o.provider_org_id]);
    return this.objectionDto(this.deps.db, o);
  }

  private async objectionRow(db: Db, id: string, forUpdate = false): Promise<ObjectionRow> {
    const o = await repo.objection(db, id, forUpdate);
    if (!o) {
      throw new NotFoundError('OBJECTION_NOT_FOUND', 'sharing.error.objectionNotFound', { params: { id } });
    }
    return o;
  }

  // ── read-only figures for the statistics capability and the calendar view ──────────────────

  /**
   * Raw sharing figures for the statistics capability (`src/stats`), which decides the scope: `orgId` null
   * is the whole region (only for actors who may see it), otherwise requests/grants/objections where the org
   * is a party. Times are ISO strings; `calendarOverrides` is the region rule's, for working-day arithmetic.
   */
  async statsFigures(actor: Actor, orgId: string | null) {
    await this.deps.access.require(actor, 'stats.read');
    if (
      orgId === null &&
      this.deps.access.reach(actor, 'stats.read') !== 'all' &&
      !(await this.isBureau(actor))
    ) {
      throw new ForbiddenError('FORBIDDEN', 'error.forbidden', { params: { permission: 'stats.read' } });
    }
    const db = this.deps.db;
    const [f, rule] = await Promise.all([repo.statsFigures(db, orgId), this.rule(db)]);
    const now = this.now();
    return {
      now: now.toISOString(),
      calendarOverrides: rule.calendarOverrides,
      requestsByStatus: f.byStatus.map((r) => ({ status: r.status, count: Number(r.n) })),
      decidedSteps: f.steps.map((x) => ({
        stage: x.stage,
        startedAt: new Date(x.started_at).toISOString(),
        decidedAt: new Date(x.decided_at!).toISOString(),
        outcome: x.outcome,
      })),
      openRequests: f.open.map((r) => ({
        id: r.id,
        status: r.status,
        dueAt: new Date(r.due_at!).toISOString(),
        requesterOrgId: r.requester_org_id,
        providerOrgId: r.provider_org_id,
        title: r.purpose,
      })),
      openObjections: f.objections.map((o) => ({
        id: o.id,
        status: o.status,
        dueAt: new Date(o.due_at!).toISOString(),
        requesterOrgId: o.reporter_org_id,
        providerOrgId: o.provider_org_id,
        title: null as string | null,
      })),
      grants: f.grants.map((g) => ({
        id: g.id,
        status:
          g.status === 'active' && new Date(g.valid_to).getTime() <= now.getTime() ? 'expired' : g.status,
      })),
    };
  }

  /**
   * The working calendar of one year as the deadlines use it: the national schedule shipped with govhub
   * (holidays and 调休 working days) and the region's overrides, each date once with where it comes from.
   */
  async calendar(actor: Actor, year: number) {
    await this.deps.access.require(actor, 'share.read');
    const rule = await this.rule(this.deps.db);
    const national = NATIONAL_CALENDAR_YEARS.find((y) => y.year === year);
    const prefix = `${year}-`;
    const overrides = rule.calendarOverrides.filter((e) => e.date.startsWith(prefix));
    const byDate = new Map<
      string,
      { date: string; kind: string; name: string; source: 'national' | 'region' }
    >();
    for (const e of national?.entries ?? []) {
      byDate.set(e.date, { date: e.date, kind: e.kind, name: e.name, source: 'national' });
    }
    for (const e of overrides) {
      byDate.set(e.date, { date: e.date, kind: e.kind, name: e.name ?? '', source: 'region' });
    }
    return {
      year,
      hasNationalData: national !== undefined,
      notice: national?.source?.notice ?? null,
      entries: [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date)),
    };
  }
}
