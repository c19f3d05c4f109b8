import { computed, reactive, ref } from 'vue';
import { api, ApiError, call, type Org } from '../../api/client';
import { lang, type MessageKey, t } from '../../i18n';
import { session } from '../../session';
import type { Resource } from '../catalog/labels';

/** Organizations by id (names for requester / provider / consumer columns), loaded once per page. */
const orgs = ref<Org[]>([]);
let orgsLoading: Promise<void> | null = null;
export function loadOrgs(): Promise<void> {
  orgsLoading ??= call(api.GET('/api/v1/orgs'))
    .then((list) => {
      orgs.value = list;
    })
    .catch(() => {
      orgsLoading = null;
    });
  return orgsLoading;
}
export const orgById = computed(() => new Map(orgs.value.map((o) => [o.id, o])));
export function orgName(id: string | null | undefined): string {
  if (!id) {
    return '—';
  }
  return orgById.value.get(id)?.name ?? id;
}
/** The signed-in user's organization is the data bureau (takes bureau steps and coordination). */
export const isBureau = computed(() => {
  const org = session.me ? orgById.value.get(session.me.orgId) : undefined;
  return org?.kind === 'data_bureau' && (session.me?.permissions.includes('share.decide') ?? false);
});

/** Catalog resources by id (names, items with level / share type / identifier kind), cached per page load. */
export const resources = reactive(new Map<string, Resource | null>());
const pending = new Map<string, Promise<Resource | null>>();
export function loadResource(id: string): Promise<Resource | null> {
  let p = pending.get(id);
  if (!p) {
    p = call(api.GET('/api/v1/catalog/resources/{id}', { params: { path: { id } } }))
      .then((r) => {
        resources.set(id, r);
        return r;
      })
      .catch(() => {
        resources.set(id, null);
        return null;
      });
    pending.set(id, p);
  }
  return p;
}
export function resourceName(id: string): string {
  return resources.get(id)?.name ?? id.slice(0, 8);
}

/** Label of a sharing code (status, stage, mode, outcome…), the code itself when unknown. */
export function sl(
  prefix: 'status' | 'stage' | 'mode' | 'outcome' | 'grantStatus' | 'objStatus' | 'mask' | 'period',
  code: string | null | undefined,
): string {
  if (!code) {
    return '—';
  }
  const text = t(`sharing.${prefix}.${code}` as MessageKey) as string | undefined;
  return text ?? code;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  return new Date(iso).toLocaleDateString(lang.value === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
  });
}

/**
 * The countdown to a deadline: working days left as the API counts them (region calendar), overdue when
 * the end of the due date has passed. Without a working-day figure, the time left and the due date.
 */
export function countdown(
  dueAt: string | null | undefined,
  workingDaysLeft: number | null | undefined,
  now = Date.now(),
): { text: string; overdue: boolean; soon: boolean } | null {
  if (!dueAt) {
    return null;
  }
  const due = new Date(dueAt).getTime();
  if (due < now) {
    const late = workingDaysLeft !== null && workingDaysLeft !== undefined && workingDaysLeft < 0;
    return {
      text: late ? t('sharing.due.overdueDays', { n: -workingDaysLeft }) : t('sharing.due.overdue'),
      overdue: true,
      soon: false,
    };
  }
  if (workingDaysLeft === null || workingDaysLeft === undefined) {
    const hours = Math.floor((due - now) / 3_600_000);
    return {
      text: t('sharing.due.hoursLeft', { days: Math.floor(hours / 24), hours: hours % 24 }),
      overdue: false,
      soon: hours < 48,
    };
  }
  return {
    text: workingDaysLeft === 0 ? t('sharing.due.today') : t('sharing.due.daysLeft', { n: workingDaysLeft }),
    overdue: false,
    soon: workingDaysLeft <= 2,
  };
}

/** `YYYY-MM-DD` (a date input's value) → the end of that day in Shanghai, as the API's date-time. */
export function endOfDay(date: string): string {
  return `${date}T23:59:59+08:00`;
}
/** An ISO instant → its Shanghai date as `YYYY-MM-DD` (for a date input). */
export function dateInput(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Per-field errors of an API answer: schema errors (`[{ field, rule }]`) and the service's own
 * (`{ field }`, message in the envelope). Fields are normalised (`resources.0.items` → `resources`).
 */
export function fieldErrors(
  e: unknown,
  top = (f: string) => f.split(/[.[]/)[0] ?? f,
): Record<string, string> {
  if (!(e instanceof ApiError)) {
    return {};
  }
  const list = Array.isArray(e.details)
    ? e.details
    : e.details && typeof e.details === 'object'
      ? [e.details]
      : [];
  const out: Record<string, string> = {};
  for (const d of list as Array<{ field?: string; rule?: string }>) {
    if (!d.field) {
      continue;
    }
    const f = top(d.field);
    if (out[f]) {
      continue;
    }
    out[f] = !d.rule
      ? e.message
      : ['required', 'minLength', 'minItems'].includes(d.rule)
        ? t('reason.required')
        : t('reason.invalid');
  }
  return out;
}

export const MODES = ['read', 'verify', 'download'] as const;
/** Identifier kinds the masking functions know (src/sharing/mask-functions.ts). */
export const IDENTIFIER_KINDS = [
  'id_number',
  'mobile',
  'name',
  'bank_card',
  'address',
  'uscc',
  'org_code',
  'email',
  'landline',
  'passport',
];
