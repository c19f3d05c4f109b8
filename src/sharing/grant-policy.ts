/**
 * Grant evaluation — the decision core of the enforcement pipeline (pure). Given a grant and one access
 * request, either the items the caller may receive (with the grant's row filter and masking profile) or a
 * refusal code. The pipeline runs: authenticate → decideAccess → AND row filter → push down → mask → meter.
 *
 * Check order (the first failure is reported; the order is part of the contract, tested):
 *   GRANT_REVOKED → GRANT_SUSPENDED → GRANT_NOT_YET_VALID → GRANT_EXPIRED → MODE_NOT_GRANTED →
 *   ITEM_NOT_GRANTED → QUOTA_EXCEEDED → RATE_LIMITED
 * Also here: the `verify` (核验) comparison — match / no_match per claimed item and nothing else.
 */
import { effectiveGrantStatus, type GrantStatus } from './grant-lifecycle.js';
import { shanghaiDateOf } from './generalize.js';
import type { MaskingProfile } from './masking.js';
import { type IdentifierKind, normalizeIdentifier, normalizeText } from './normalize.js';

export const ACCESS_MODES = ['read', 'verify', 'download', 'subscribe', 'compute'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/**
 * Placeholder for the row-filter AST owned by the datasets capability (`src/datasets/filter.ts`). The pipeline
 * ANDs it with the caller's own filter; this module only passes it through.
 */
export interface RowFilter {
  readonly kind: 'row_filter';
  readonly ast: unknown;
}

export interface Quota {
  period: 'day' | 'month' | 'total';
  maxCalls?: number;
  maxRows?: number;
}

export interface RateLimit {
  /** Sustained calls per second. */
  perSecond: number;
  /** Bucket size (default = perSecond). */
  burst?: number;
}

export interface Grant {
  id: string;
  status: GrantStatus;
  resourceId: string;
  items: readonly string[];
  rowFilter: RowFilter | null;
  maskingProfile: MaskingProfile;
  modes: readonly AccessMode[];
  quota?: Quota;
  rate?: RateLimit;
  validFrom: Date;
  validTo: Date;
  purpose: string;
}

/** Usage already counted in the grant's current quota period (from the meter). */
export interface Usage {
  periodKey: string;
  calls: number;
  rows: number;
}

export interface AccessRequest {
  mode: AccessMode;
  /** Items asked for; undefined = every granted item. */
  items?: readonly string[];
  at: Date;
  usage?: Usage;
  /** Token bucket state for the grant's rate limit (from the meter), if any. */
  bucket?: TokenBucket;
}

export type RefusalCode =
  | 'GRANT_REVOKED'
  | 'GRANT_SUSPENDED'
  | 'GRANT_NOT_YET_VALID'
  | 'GRANT_EXPIRED'
  | 'MODE_NOT_GRANTED'
  | 'ITEM_NOT_GRANTED'
  | 'QUOTA_EXCEEDED'
  | 'RATE_LIMITED';

/** HTTP status the pipeline answers each refusal with. */
export const REFUSAL_STATUS: Record<RefusalCode, number> = {
  GRANT_REVOKED: 403,
  GRANT_SUSPENDED: 403,
  GRANT_NOT_YET_VALID: 403,
  GRANT_EXPIRED: 403,
  MODE_NOT_GRANTED: 403,
  ITEM_NOT_GRANTED: 403,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
};

export type AccessDecision =
  | {
      allowed: true;
      grantId: string;
      mode: AccessMode;
      items: readonly string[];
      rowFilter: RowFilter | null;
      maskingProfile: MaskingProfile;
      /** Rows still allowed in this quota period (undefined = unlimited); the stream stops there. */
      rowBudget?: number;
      /** Bucket after taking this call's token (store it back). */
      bucket?: TokenBucket;
    }
  | { allowed: false; grantId: string; code: RefusalCode; details: Record<string, unknown> };

/** The quota period a call at `at` falls into (calendar day / month in Asia/Shanghai). */
export function quotaPeriodKey(at: Date, period: Quota['period']): string {
  const d = shanghaiDateOf(at);
  return period === 'day' ? d : period === 'month' ? d.slice(0, 7) : 'total';
}

export interface TokenBucket {
  tokens: number;
  /** ms since epoch of the last refill. */
  updatedAt: number;
}

/** Token bucket: refill at `perSecond`, cap at `burst`, take one token. Pure. */
export function takeToken(
  bucket: TokenBucket | undefined,
  rate: RateLimit,
  now: Date,
): { ok: boolean; bucket: TokenBucket; retryAfterMs: number } {
  const cap = rate.burst ?? rate.perSecond;
  const t = now.getTime();
  const prev = bucket ?? { tokens: cap, updatedAt: t };
  const elapsed = Math.max(0, t - prev.updatedAt);
  const tokens = Math.min(cap, prev.tokens + (elapsed / 1000) * rate.perSecond);
  if (tokens >= 1) {
    return { ok: true, bucket: { tokens: tokens - 1, updatedAt: t }, retryAfterMs: 0 };
  }
  return {
    ok: false,
    bucket: { tokens, updatedAt: t },
    retryAfterMs: Math.ceil(((1 - tokens) / rate.perSecond) * 1000),
  };
}

export function decideAccess(grant: Grant, req: AccessRequest): AccessDecision {
  const refuse = (code: RefusalCode, details: Record<string, unknown> = {}): AccessDecision => ({
    allowed: false,
    grantId: grant.id,
    code,
    details,
  });
  const status = effectiveGrantStatus(grant, req.at);
  if (status === 'revoked') {
    return refuse('GRANT_REVOKED');
  }
  if (status === 'suspended') {
    return refuse('GRANT_SUSPENDED');
  }
  if (req.at.getTime() < grant.validFrom.getTime()) {
    return refuse('GRANT_NOT_YET_VALID', { validFrom: grant.validFrom.toISOString() });
  }
  if (status === 'expired') {
    return refuse('GRANT_EXPIRED', { validTo: grant.validTo.toISOString() });
  }
  if (!grant.modes.includes(req.mode)) {
    return refuse('MODE_NOT_GRANTED', { mode: req.mode });
  }
  const granted = new Set(grant.items);
  const asked = req.items ?? grant.items;
  const notGranted = [...new Set(asked.filter((i) => !granted.has(i)))];
  if (notGranted.length > 0) {
    return refuse('ITEM_NOT_GRANTED', { items: notGranted });
  }
  if (asked.length === 0) {
    return refuse('ITEM_NOT_GRANTED', { items: [] });
  }
  let rowBudget: number | undefined;
  if (grant.quota) {
    const key = quotaPeriodKey(req.at, grant.quota.period);
    const used = req.usage && req.usage.periodKey === key ? req.usage : { calls: 0, rows: 0 };
    if (grant.quota.maxCalls !== undefined && used.calls >= grant.quota.maxCalls) {
      return refuse('QUOTA_EXCEEDED', { period: key, limit: 'calls', max: grant.quota.maxCalls });
    }
    if (grant.quota.maxRows !== undefined) {
      rowBudget = grant.quota.maxRows - used.rows;
      if (rowBudget <= 0) {
        return refuse('QUOTA_EXCEEDED', { period: key, limit: 'rows', max: grant.quota.maxRows });
      }
    }
  }
  let bucket: TokenBucket | undefined;
  if (grant.rate) {
    const taken = takeToken(req.bucket, grant.rate, req.at);
    if (!taken.ok) {
      return refuse('RATE_LIMITED', { retryAfterMs: taken.retryAfterMs });
    }
    bucket = taken.bucket;
  }
  const decision: AccessDecision = {
    allowed: true,
    grantId: grant.id,
    mode: req.mode,
    items: [...new Set(asked)],
    rowFilter: grant.rowFilter,
    maskingProfile: grant.maskingProfile,
  };
  if (rowBudget !== undefined) {
    decision.rowBudget = rowBudget;
  }
  if (bucket) {
    decision.bucket = bucket;
  }
  return decision;
}

// ---------------------------------------------------------------------------------------------------------
// verify (核验)

export type VerifyOutcome = 'match' | 'no_match';

/** Canonical form of a value for comparison, by identifier kind (full-width, ID check letter case, +86 …). */
export function verifyCanonical(value: unknown, kind?: IdentifierKind): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (value instanceof Date) {
    return shanghaiDateOf(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null)) {
    return null; // functions, symbols: not comparable values
  }
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  if (kind) {
    return normalizeIdentifier(kind, s);
  }
  const t = normalizeText(s);
  // Plain dates written differently (20250102, 2025/01/02) compare equal to 2025-01-02.
  const d = /^(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})$/.exec(t);
  if (d) {
    return `${d[1]}-${d[2]}-${d[3]}`;
  }
  // Numbers written differently (1.50 vs 1.5) compare equal.
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    return String(Number(t));
  }
  return t;
}

/**
 * Compares claimed values with the actual record: one outcome per claimed item and nothing else. A missing
 * record gives no_match for every item (so the answer does not reveal whether the record exists beyond what
 * the claims themselves establish). A null actual value never matches.
 */
export function verifyClaims(
  claims: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>> | null | undefined,
  kinds: Readonly<Record<string, IdentifierKind | undefined>> = {},
): Record<string, VerifyOutcome> {
  // Claimed item names come from the caller: `__proto__` or `constructor` are just names here (fromEntries
  // defines own properties; hasOwn never reads the prototype).
  const out: Array<[string, VerifyOutcome]> = [];
  for (const item of Object.keys(claims)) {
    const kind = Object.hasOwn(kinds, item) ? kinds[item] : undefined;
    const a = actual && Object.hasOwn(actual, item) ? verifyCanonical(actual[item], kind) : null;
    const c = verifyCanonical(claims[item], kind);
    out.push([item, a !== null && c !== null && a === c ? 'match' : 'no_match']);
  }
  return Object.fromEntries(out);
}
