import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  addWorkingDays,
  buildCalendar,
  CalendarDataError,
  CalendarGapError,
  computeDeadline,
  DEFAULT_SLA_POLICY,
  fromDayNumber,
  dayNumber,
  isOverdue,
  isWorkingDay,
  missingYears,
  nationalCalendar,
  NATIONAL_CALENDAR_YEARS,
  parseCalendarYear,
  regionSlaPolicy,
  shanghaiDate,
  shanghaiInstant,
  slaStatus,
  workingDaysBetween,
} from '../../src/sharing/working-days.js';

const cal = nationalCalendar();

describe('national calendar data (2025, 2026)', () => {
  test('holidays and 调休 make-up working days', () => {
    assert.equal(isWorkingDay('2025-01-01', cal), false, '元旦');
    assert.equal(isWorkingDay('2025-01-26', cal), true, 'Sunday 26 Jan 2025 is worked (春节调休)');
    assert.equal(isWorkingDay('2025-01-29', cal), false, '春节 (Wednesday)');
    assert.equal(isWorkingDay('2025-02-08', cal), true, 'Saturday 8 Feb 2025 is worked');
    assert.equal(isWorkingDay('2025-10-08', cal), false, '国庆中秋 merged holiday');
    assert.equal(isWorkingDay('2025-10-11', cal), true);
    assert.equal(isWorkingDay('2026-01-04', cal), true, 'Sunday 4 Jan 2026 is worked');
    assert.equal(isWorkingDay('2026-02-23', cal), false, '春节 2026 ends Monday 23 Feb');
    assert.equal(isWorkingDay('2026-09-25', cal), false, '中秋 2026');
    assert.equal(isWorkingDay('2026-03-07', cal), false, 'an ordinary Saturday');
    assert.equal(isWorkingDay('2026-03-09', cal), true, 'an ordinary Monday');
  });

  test('every shipped year parses and covers its whole notice', () => {
    for (const y of NATIONAL_CALENDAR_YEARS) {
      const parsed = parseCalendarYear(y);
      assert.ok(parsed.entries.length > 25);
      assert.ok(parsed.source?.notice?.includes(String(y.year)));
    }
  });

  test('working days per year match the schedules (261 weekdays − weekday holidays + make-up days)', () => {
    // 2025: 18 weekday holidays, 5 make-up days → 248. 2026: 19 weekday holidays, 6 make-up days → 248.
    assert.equal(workingDaysBetween('2024-12-31', '2025-12-31', cal), 248);
    assert.equal(workingDaysBetween('2025-12-31', '2026-12-31', cal), 248);
  });
});

describe('addWorkingDays / workingDaysBetween', () => {
  test('10 working days across 春节 and 国庆 (start day not counted)', () => {
    assert.equal(addWorkingDays('2025-01-24', 1, cal), '2025-01-26');
    assert.equal(addWorkingDays('2025-01-24', 3, cal), '2025-02-05');
    assert.equal(addWorkingDays('2025-01-24', 10, cal), '2025-02-13');
    assert.equal(addWorkingDays('2025-09-26', 10, cal), '2025-10-16');
    assert.equal(addWorkingDays('2026-02-13', 10, cal), '2026-03-05');
    assert.equal(addWorkingDays('2026-02-13', -1, cal), '2026-02-12');
    assert.equal(addWorkingDays('2026-02-13', 0, cal), '2026-02-13');
  });

  const dateArb = fc
    .integer({ min: dayNumber('2025-01-01'), max: dayNumber('2026-11-30') })
    .map(fromDayNumber);

  test('property: workingDaysBetween inverts addWorkingDays, the result is a working day, n ↦ date is increasing', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 25 }), (d, n) => {
        const end = addWorkingDays(d, n, cal);
        assert.equal(workingDaysBetween(d, end, cal), n);
        assert.equal(workingDaysBetween(end, d, cal), -n);
        assert.ok(isWorkingDay(end, cal));
        assert.ok(addWorkingDays(d, n + 1, cal) > end);
        if (isWorkingDay(d, cal)) {
          assert.equal(addWorkingDays(end, -n, cal), d);
        }
      }),
    );
  });

  test('property: workingDaysBetween is additive', () => {
    fc.assert(
      fc.property(dateArb, dateArb, dateArb, (a, b, c) => {
        assert.equal(
          workingDaysBetween(a, b, cal) + workingDaysBetween(b, c, cal),
          workingDaysBetween(a, c, cal),
        );
      }),
      { numRuns: 50 },
    );
  });

  test('malformed dates are refused', () => {
    assert.throws(() => addWorkingDays('2025-02-30', 1, cal), CalendarDataError);
    assert.throws(() => addWorkingDays('2025-1-2', 1, cal), CalendarDataError);
    assert.throws(() => addWorkingDays('2025-01-02', 1.5, cal), RangeError);
  });
});

describe('calendar data from a region', () => {
  test('a region adds its own holiday through overrides (e.g. a 民族自治地方 festival)', () => {
    const local = nationalCalendar({
      overrides: [{ date: '2025-03-31', kind: 'HOLIDAY', name: '三月三 (example local holiday)' }],
    });
    assert.equal(isWorkingDay('2025-03-31', cal), true);
    assert.equal(isWorkingDay('2025-03-31', local), false);
    assert.equal(addWorkingDays('2025-03-28', 1, local), '2025-04-01');
  });

  test('a year file is validated', () => {
    const ok = parseCalendarYear({
      region: 'X',
      year: 2027,
      entries: [{ date: '2027-01-01', kind: 'HOLIDAY', name: '元旦' }],
    });
    assert.equal(ok.entries.length, 1);
    const bad = [
      null,
      { region: 'X', year: 2027 },
      { region: 'X', year: 2027, entries: [{ date: '2026-01-01', kind: 'HOLIDAY', name: '' }] },
      { region: 'X', year: 2027, entries: [{ date: '2027-01-01', kind: 'DAY_OFF', name: '' }] },
      {
        region: 'X',
        year: 2027,
        entries: [{ date: '2027-01-04', kind: 'MAKEUP_WORKDAY', name: 'a Monday' }],
      },
      {
        region: 'X',
        year: 2027,
        entries: [
          { date: '2027-01-01', kind: 'HOLIDAY', name: '' },
          { date: '2027-01-01', kind: 'HOLIDAY', name: '' },
        ],
      },
    ];
    for (const b of bad) {
      assert.throws(() => parseCalendarYear(b), CalendarDataError);
    }
  });

  test('a year without data counts Monday–Friday and says so; strict calendars refuse', () => {
    assert.deepEqual(missingYears('2026-12-20', '2027-01-10', cal), [2027]);
    const d = computeDeadline(new Date('2026-12-24T02:00:00Z'), 'provider_review', DEFAULT_SLA_POLICY, cal);
    assert.equal(d.dueDate, '2027-01-07');
    assert.equal(d.warnings.length, 1);
    assert.match(d.warnings[0]!, /2027/);
    const strict = buildCalendar(NATIONAL_CALENDAR_YEARS, { strict: true });
    assert.throws(
      () => computeDeadline(new Date('2026-12-24T02:00:00Z'), 'provider_review', DEFAULT_SLA_POLICY, strict),
      (e: unknown) => e instanceof CalendarGapError && e.years.includes(2027),
    );
  });
});

describe('deadlines in Asia/Shanghai', () => {
  test('the start date is the Shanghai date; the deadline is the end of the N-th working day', () => {
    // 00:30 on Friday 24 Jan 2025 in Shanghai (16:30 UTC the day before).
    const d = computeDeadline(new Date('2025-01-23T16:30:00Z'), 'provider_review', DEFAULT_SLA_POLICY, cal);
    assert.equal(d.startDate, '2025-01-24');
    assert.equal(d.dueDate, '2025-02-13');
    assert.equal(d.dueAt.toISOString(), '2025-02-13T15:59:59.999Z');
    // 23:59 on Thursday 23 Jan in Shanghai: one day earlier.
    const e = computeDeadline(new Date('2025-01-23T15:59:00Z'), 'provider_review', DEFAULT_SLA_POLICY, cal);
    assert.equal(e.startDate, '2025-01-23');
    assert.equal(e.dueDate, '2025-02-12');
    assert.equal(shanghaiDate(new Date('2025-01-23T16:00:00Z')), '2025-01-24');
    assert.equal(shanghaiInstant('2025-01-24', '09:00').toISOString(), '2025-01-24T01:00:00.000Z');
  });

  test('reminders at 09:00 Shanghai on the day with k working days left; status and overdue', () => {
    const d = computeDeadline(new Date('2025-01-24T02:00:00Z'), 'provider_review', DEFAULT_SLA_POLICY, cal);
    assert.deepEqual(
      d.reminders.map((r) => [r.workingDaysLeft, r.at.toISOString()]),
      [
        [3, '2025-02-10T01:00:00.000Z'],
        [1, '2025-02-12T01:00:00.000Z'],
      ],
    );
    assert.equal(slaStatus(d, new Date('2025-02-05T02:00:00Z'), cal).state, 'on_time');
    const soon = slaStatus(d, new Date('2025-02-10T02:00:00Z'), cal);
    assert.equal(soon.state, 'due_soon');
    assert.equal(soon.workingDaysLeft, 3);
    assert.equal(soon.remindersDue.length, 1);
    assert.equal(isOverdue(d, new Date('2025-02-13T15:59:59.999Z')), false);
    assert.equal(isOverdue(d, new Date('2025-02-13T16:00:00Z')), true);
    assert.equal(slaStatus(d, new Date('2025-02-14T01:00:00Z'), cal).state, 'overdue');
  });

  test('per-region SLA and pauses while a request is returned for more material', () => {
    const policy = regionSlaPolicy({ provider_review: { workingDays: 5, remindAtWorkingDaysLeft: [2] } });
    const start = new Date('2025-03-03T02:00:00Z'); // Monday
    assert.equal(computeDeadline(start, 'provider_review', policy, cal).dueDate, '2025-03-10');
    const paused = computeDeadline(start, 'provider_review', policy, cal, [
      { from: new Date('2025-03-04T02:00:00Z'), to: new Date('2025-03-06T02:00:00Z') },
    ]);
    assert.equal(paused.pausedWorkingDays, 2);
    assert.equal(paused.dueDate, '2025-03-12');
    assert.equal(DEFAULT_SLA_POLICY.provider_review.workingDays, 10);
    assert.throws(() => regionSlaPolicy({ provider_review: { workingDays: 0 } }), RangeError);
    assert.throws(() => regionSlaPolicy({ bureau_review: { remindAtWorkingDaysLeft: [10] } }), RangeError);
    assert.throws(() => regionSlaPolicy({ bureau_review: { reminderTime: '25:00' } }), CalendarDataError);
  });
});
