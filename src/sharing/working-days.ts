/**
 * Working-day calendar and SLA deadlines (cn-rules.md §2.5). Pure: calendars are data, loaded by the caller.
 *
 * - A calendar lists, per year, the dates that differ from Mon–Fri: `HOLIDAY` (法定节假日 and 放假调休 days) and
 *   `MAKEUP_WORKDAY` (调休上班, a Saturday or Sunday that is worked). The national 2025 and 2026 schedules ship in
 *   `calendar/cn-<year>.json`; a region loads its own file (or overrides, e.g. 民族自治地方 holidays) with
 *   `parseCalendarYear` + `buildCalendar`.
 * - Dates are `YYYY-MM-DD` in Asia/Shanghai (UTC+8, no DST since 1991); instants are converted with +8 h.
 * - Counting: the day a period starts is not counted (民法典 第二百零一条); the deadline is the end of the N-th
 *   working day after the start date, 23:59:59.999 Shanghai time.
 * - A year without data falls back to Mon–Fri and is reported in `warnings` (or throws with `strict`).
 */
import cn2025 from './calendar/cn-2025.json' with { type: 'json' };
import cn2026 from './calendar/cn-2026.json' with { type: 'json' };

export type LocalDate = string;
export type CalendarEntryKind = 'HOLIDAY' | 'MAKEUP_WORKDAY';

export interface CalendarEntry {
  date: LocalDate;
  kind: CalendarEntryKind;
  name: string;
  sourceNotice?: string;
}

export interface CalendarYear {
  region: string;
  year: number;
  source?: { notice?: string; evidence?: string };
  entries: CalendarEntry[];
}

export interface WorkingCalendar {
  readonly region: string;
  readonly years: ReadonlySet<number>;
  /** date → entry, for every date that differs from Mon–Fri. */
  readonly entries: ReadonlyMap<LocalDate, CalendarEntry>;
  /** Throw CalendarGapError instead of warning when a computation touches a year without data. */
  readonly strict: boolean;
}

export class CalendarDataError extends Error {
  override name = 'CalendarDataError';
}
export class CalendarGapError extends Error {
  override name = 'CalendarGapError';
  constructor(readonly years: number[]) {
    super(`no holiday calendar for ${years.join(', ')}`);
  }
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number (days since 1970-01-01) of a local date; throws on a malformed or impossible date. */
export function dayNumber(date: LocalDate): number {
  const m = DATE_RE.exec(date);
  if (!m) {
    throw new CalendarDataError(`not a YYYY-MM-DD date: ${date}`);
  }
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== date) {
    throw new CalendarDataError(`not a calendar date: ${date}`);
  }
  return t / DAY_MS;
}

export function fromDayNumber(n: number): LocalDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): LocalDate {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of `HH:MM` (default end of day 23:59:59.999) on a Shanghai date. */
export function shanghaiInstant(date: LocalDate, time?: string): Date {
  const base = dayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS;
  if (time === undefined) {
    return new Date(base + DAY_MS - 1);
  }
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) {
    throw new CalendarDataError(`not an HH:MM time: ${time}`);
  }
  return new Date(base + (Number(m[1]) * 60 + Number(m[2])) * 60_000);
}

/** Validates one year of calendar data (e.g. a region's own JSON file). */
export function parseCalendarYear(data: unknown): CalendarYear {
  const d = data as Partial<CalendarYear> | null;
  if (!d || typeof d !== 'object' || typeof d.region !== 'string' || !Number.isInteger(d.year)) {
    throw new CalendarDataError('calendar year needs region (string) and year (integer)');
  }
  if (!Array.isArray(d.entries)) {
    throw new CalendarDataError('calendar year needs entries[]');
  }
  const seen = new Set<string>();
  const entries: CalendarEntry[] = d.entries.map((e: Partial<CalendarEntry>, i) => {
    if (!e || typeof e.date !== 'string' || (e.kind !== 'HOLIDAY' && e.kind !== 'MAKEUP_WORKDAY')) {
      throw new CalendarDataError(`entry ${i}: needs date and kind HOLIDAY | MAKEUP_WORKDAY`);
    }
    const day = dayNumber(e.date);
    if (Number(e.date.slice(0, 4)) !== d.year) {
      throw new CalendarDataError(`entry ${i}: ${e.date} is not in ${d.year}`);
    }
    if (seen.has(e.date)) {
      throw new CalendarDataError(`entry ${i}: ${e.date} listed twice`);
    }
    seen.add(e.date);
    const dow = (day + 4) % 7; // 0 = Sunday
    if (e.kind === 'MAKEUP_WORKDAY' && dow !== 0 && dow !== 6) {
      throw new CalendarDataError(`entry ${i}: make-up working day ${e.date} is not a weekend day`);
    }
    const entry: CalendarEntry = { date: e.date, kind: e.kind, name: String(e.name ?? '') };
    if (e.sourceNotice) {
      entry.sourceNotice = e.sourceNotice;
    }
    return entry;
  });
  const out: CalendarYear = { region: d.region, year: d.year!, entries };
  if (d.source) {
    out.source = d.source;
  }
  return out;
}

/**
 * A calendar from whole years plus optional local overrides (which win over the years' entries for the same
 * date). Overrides may also add dates in years that have no data, but do not make such a year "covered".
 */
export function buildCalendar(
  years: readonly CalendarYear[],
  opts: { region?: string; overrides?: readonly CalendarEntry[]; strict?: boolean } = {},
): WorkingCalendar {
  const entries = new Map<LocalDate, CalendarEntry>();
  const covered = new Set<number>();
  for (const y of years) {
    const parsed = parseCalendarYear(y);
    covered.add(parsed.year);
    for (const e of parsed.entries) {
      entries.set(e.date, e);
    }
  }
  for (const e of opts.overrides ?? []) {
    dayNumber(e.date);
    entries.set(e.date, e);
  }
  return {
    region: opts.region ?? years[0]?.region ?? 'CN',
    years: covered,
    entries,
    strict: opts.strict ?? false,
  };
}

/** The national calendar (State Council schedules shipped with govhub: 2025, 2026). */
export const NATIONAL_CALENDAR_YEARS: readonly CalendarYear[] = [
  cn2025 as CalendarYear,
  cn2026 as CalendarYear,
];

export function nationalCalendar(
  opts: { overrides?: readonly CalendarEntry[]; strict?: boolean } = {},
): WorkingCalendar {
  return buildCalendar(NATIONAL_CALENDAR_YEARS, { region: 'CN', ...opts });
}

function isWorkingDayNumber(day: number, cal: WorkingCalendar): boolean {
  const entry = cal.entries.get(fromDayNumber(day));
  if (entry) {
    return entry.kind === 'MAKEUP_WORKDAY';
  }
  const dow = (day + 4) % 7;
  return dow !== 0 && dow !== 6;
}

export function isWorkingDay(date: LocalDate, cal: WorkingCalendar): boolean {
  return isWorkingDayNumber(dayNumber(date), cal);
}

/** Years in [from, to] (either order) for which the calendar has no data. */
export function missingYears(from: LocalDate, to: LocalDate, cal: WorkingCalendar): number[] {
  const a = Number(from.slice(0, 4));
  const b = Number(to.slice(0, 4));
  const out: number[] = [];
  for (let y = Math.min(a, b); y <= Math.max(a, b); y++) {
    if (!cal.years.has(y)) {
      out.push(y);
    }
  }
  return out;
}

function checkCoverage(from: LocalDate, to: LocalDate, cal: WorkingCalendar): number[] {
  const gaps = missingYears(from, to, cal);
  if (gaps.length > 0 && cal.strict) {
    throw new CalendarGapError(gaps);
  }
  return gaps;
}

/**
 * The |n|-th working day after `start` (n > 0) or before it (n < 0); the start day itself is not counted.
 * n = 0 returns `start` unchanged.
 */
export function addWorkingDays(start: LocalDate, n: number, cal: WorkingCalendar): LocalDate {
  if (!Number.isInteger(n)) {
    throw new RangeError('working days must be an integer');
  }
  let day = dayNumber(start);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  while (left > 0) {
    day += step;
    if (isWorkingDayNumber(day, cal)) {
      left--;
    }
  }
  const end = fromDayNumber(day);
  checkCoverage(start, end, cal);
  return end;
}

/** Working days in (from, to] — so `workingDaysBetween(d, addWorkingDays(d, n)) === n`. Negative if to < from. */
export function workingDaysBetween(from: LocalDate, to: LocalDate, cal: WorkingCalendar): number {
  const a = dayNumber(from);
  const b = dayNumber(to);
  checkCoverage(from, to, cal);
  const [lo, hi, sign] = a <= b ? [a, b, 1] : [b, a, -1];
  let count = 0;
  for (let d = lo + 1; d <= hi; d++) {
    if (isWorkingDayNumber(d, cal)) {
      count++;
    }
  }
  return count === 0 ? 0 : sign * count; // never -0 (additivity compares with strict equality)
}

// ---------------------------------------------------------------------------------------------------------
// SLA policy and deadlines

export const SLA_STAGES = [
  'compliance_review',
  'provider_review',
  'bureau_review',
  'coordination',
  'objection_verify',
] as const;
export type SlaStage = (typeof SLA_STAGES)[number];

export interface StageSla {
  /** Working days allowed for the stage. */
  workingDays: number;
  /** Send a reminder when this many working days are left (each value < workingDays). */
  remindAtWorkingDaysLeft: readonly number[];
  /** Who an overdue case escalates to. */
  escalateTo: 'data_bureau' | 'none';
  /** Shanghai time of day reminders go out (default 09:00). */
  reminderTime?: string;
}

export type SlaPolicy = Readonly<Record<SlaStage, StageSla>>;

/**
 * Defaults: 10 working days for provider review (国发〔2016〕51号); the other stages' national time limits are
 * not verified (cn-rules.md §2.5, §14), so they default to 10 as well and must be configured per region.
 */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  compliance_review: { workingDays: 2, remindAtWorkingDaysLeft: [1], escalateTo: 'data_bureau' },
  provider_review: { workingDays: 10, remindAtWorkingDaysLeft: [3, 1], escalateTo: 'data_bureau' },
  bureau_review: { workingDays: 10, remindAtWorkingDaysLeft: [3, 1], escalateTo: 'data_bureau' },
  coordination: { workingDays: 10, remindAtWorkingDaysLeft: [3, 1], escalateTo: 'none' },
  objection_verify: { workingDays: 10, remindAtWorkingDaysLeft: [3, 1], escalateTo: 'data_bureau' },
};

/** A region's policy: defaults overridden per stage; validated. */
export function regionSlaPolicy(
  overrides: Partial<Record<SlaStage, Partial<StageSla>>> = {},
  base: SlaPolicy = DEFAULT_SLA_POLICY,
): SlaPolicy {
  const out = {} as Record<SlaStage, StageSla>;
  for (const stage of SLA_STAGES) {
    const s: StageSla = { ...base[stage], ...(overrides[stage] ?? {}) };
    if (!Number.isInteger(s.workingDays) || s.workingDays < 1 || s.workingDays > 365) {
      throw new RangeError(`${stage}: workingDays must be an integer in 1..365`);
    }
    if (s.remindAtWorkingDaysLeft.some((k) => !Number.isInteger(k) || k < 0 || k >= s.workingDays)) {
      throw new RangeError(`${stage}: reminders must be integers in 0..workingDays-1`);
    }
    if (s.reminderTime !== undefined) {
      shanghaiInstant('2025-01-01', s.reminderTime);
    }
    out[stage] = s;
  }
  return out;
}

export interface Pause {
  from: Date;
  to: Date;
}

export interface Deadline {
  stage: SlaStage;
  startDate: LocalDate;
  dueDate: LocalDate;
  /** End of the due date, Shanghai time. */
  dueAt: Date;
  /** Working days added for pauses (request returned for more material). */
  pausedWorkingDays: number;
  reminders: Array<{ workingDaysLeft: number; at: Date }>;
  escalateTo: StageSla['escalateTo'];
  /** E.g. years the calendar has no data for. */
  warnings: string[];
}

/**
 * The deadline of a stage started at `startedAt`. Each pause adds the working days it covered
 * (working days in (pause start date, pause end date]).
 */
export function computeDeadline(
  startedAt: Date,
  stage: SlaStage,
  policy: SlaPolicy,
  cal: WorkingCalendar,
  pauses: readonly Pause[] = [],
): Deadline {
  const sla = policy[stage];
  const startDate = shanghaiDate(startedAt);
  let paused = 0;
  for (const p of pauses) {
    if (p.to.getTime() < p.from.getTime()) {
      throw new RangeError('a pause ends before it starts');
    }
    paused += workingDaysBetween(shanghaiDate(p.from), shanghaiDate(p.to), cal);
  }
  const dueDate = addWorkingDays(startDate, sla.workingDays + paused, cal);
  const reminders = [...new Set(sla.remindAtWorkingDaysLeft)]
    .sort((a, b) => b - a)
    .map((k) => ({
      workingDaysLeft: k,
      at: shanghaiInstant(addWorkingDays(dueDate, -k, cal), sla.reminderTime ?? '09:00'),
    }))
    .filter((r) => r.at.getTime() > startedAt.getTime());
  const gaps = missingYears(startDate, dueDate, cal);
  return {
    stage,
    startDate,
    dueDate,
    dueAt: shanghaiInstant(dueDate),
    pausedWorkingDays: paused,
    reminders,
    escalateTo: sla.escalateTo,
    warnings: gaps.map(
      (y) => `calendar ${cal.region} has no holiday data for ${y}; counted Monday–Friday only`,
    ),
  };
}

export type SlaState = 'on_time' | 'due_soon' | 'overdue';

/** Where a deadline stands at `now`: state, working days left after today, reminders already due. */
export function slaStatus(
  deadline: Deadline,
  now: Date,
  cal: WorkingCalendar,
): { state: SlaState; workingDaysLeft: number; remindersDue: Deadline['reminders'] } {
  const left = workingDaysBetween(shanghaiDate(now), deadline.dueDate, cal);
  const remindersDue = deadline.reminders.filter((r) => r.at.getTime() <= now.getTime());
  if (isOverdue(deadline, now)) {
    return { state: 'overdue', workingDaysLeft: left, remindersDue };
  }
  return { state: remindersDue.length > 0 ? 'due_soon' : 'on_time', workingDaysLeft: left, remindersDue };
}

export function isOverdue(deadline: Pick<Deadline, 'dueAt'>, now: Date): boolean {
  return now.getTime() > deadline.dueAt.getTime();
}
