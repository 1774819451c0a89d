import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IANAZone } from 'luxon';
import {
  addBusinessSeconds,
  businessHoursFile,
  businessSeconds,
  isOpenAt,
  type BusinessHours,
} from '../../domain/sla/business-hours';

// India time (UTC+05:30): 09:30–13:30 and 14:30–20:00 on weekdays (a lunch break), Saturday 10–18, Sunday closed.
const hours: BusinessHours = businessHoursFile.parse(
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'business-hours.json'), 'utf8')),
);
const ist = (local: string) => new Date(`${local}+05:30`).toISOString();

test('the shipped file parses: India time, two periods on weekdays, holidays by date', () => {
  expect(hours.timeZone).toBe('Asia/Kolkata');
  expect(hours.week[1]).toEqual([
    { start: 570, end: 810 },
    { start: 870, end: 1200 },
  ]);
  expect(hours.week[7]).toEqual([]);
  expect(hours.holidays).toContain('2026-01-26');
});

test('business seconds skip the lunch break, the night and the weekend', () => {
  // Tuesday 2026-01-20 13:00 to 15:00 IST: 30 min before lunch, 30 min after.
  expect(businessSeconds(ist('2026-01-20T13:00:00'), ist('2026-01-20T15:00:00'), hours)).toBe(3600);
  // Friday 19:00 to Monday 10:00: 1 h Friday, 8 h Saturday, nothing Sunday, 30 min Monday.
  expect(businessSeconds(ist('2026-01-16T19:00:00'), ist('2026-01-19T10:00:00'), hours)).toBe(3600 + 8 * 3600 + 1800);
  // Monday 2026-01-26 is a holiday (Republic Day): Sunday noon to Tuesday 10:00 is Tuesday's 30 minutes only.
  expect(businessSeconds(ist('2026-01-25T12:00:00'), ist('2026-01-27T10:00:00'), hours)).toBe(1800);
  expect(businessSeconds(ist('2026-01-20T15:00:00'), ist('2026-01-20T13:00:00'), hours)).toBe(0);
});

test('a due time in business hours lands after the lunch break and the closed days', () => {
  // 2 minutes before lunch + 8 more minutes -> 14:38 after the break.
  expect(addBusinessSeconds(ist('2026-01-20T13:28:00'), 600, hours)).toBe(ist('2026-01-20T14:38:00'));
  // Saturday evening message: Sunday closed, Monday the 26th a holiday, so Tuesday 09:45.
  expect(addBusinessSeconds(ist('2026-01-24T19:00:00'), 900, hours)).toBe(ist('2026-01-27T09:45:00'));
  expect(isOpenAt(ist('2026-01-20T14:00:00'), hours)).toBe(false);
  expect(isOpenAt(ist('2026-01-20T14:30:00'), hours)).toBe(true);
});

test('adding business seconds and measuring them agree', () => {
  for (const [from, seconds] of [
    [ist('2026-01-20T08:00:00'), 1],
    [ist('2026-01-22T19:59:00'), 7200],
    [ist('2026-01-24T17:00:00'), 86_400],
  ] as const) {
    const due = addBusinessSeconds(from, seconds, hours)!;
    expect(businessSeconds(from, due, hours)).toBe(seconds);
  }
});

test('a daylight-saving zone keeps opening hours at their wall-clock time', () => {
  const london = businessHoursFile.parse({
    timeZone: 'Europe/London',
    week: { sunday: [{ start: '09:00', end: '17:00' }] },
  });
  // 2026-03-29: clocks go forward at 01:00 UTC; 09:00 local is 08:00 UTC.
  expect(addBusinessSeconds('2026-03-29T00:00:00Z', 60, london)).toBe('2026-03-29T08:01:00.000Z');
});

test('a due time reads the time zone around its own days, not across the whole search range', () => {
  // Asia/Kolkata never changes its offset: each time-zone read is an Intl call, and the first due time of an event
  // once read the zone every six hours for 400 days (about 1,600 reads, some 17 ms a step).
  const reads = jest.spyOn(IANAZone.prototype, 'offset');
  try {
    expect(addBusinessSeconds(ist('2031-03-04T19:50:00'), 15 * 60, hours)).toBe(ist('2031-03-05T09:35:00'));
    expect(reads.mock.calls.length).toBeLessThan(50);
  } finally {
    reads.mockRestore();
  }
});

test('bad files are refused with the problem named', () => {
  const problems = (input: unknown) => {
    const parsed = businessHoursFile.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  expect(problems({ timeZone: 'Mars/Olympus', week: { monday: [{ start: '09:00', end: '17:00' }] } })).toEqual([
    'timeZone: unknown IANA time zone',
  ]);
  expect(problems({ week: { monday: [{ start: '17:00', end: '09:00' }] } })[0]).toMatch(/end after it starts/);
  expect(
    problems({
      week: {
        monday: [
          { start: '09:00', end: '13:00' },
          { start: '12:00', end: '17:00' },
        ],
      },
    })[0],
  ).toMatch(/must not overlap/);
  expect(problems({ week: { monday: [{ start: '9:00', end: '17:00' }] } })[0]).toMatch(/09:30/);
  expect(problems({ week: {} })[0]).toMatch(/at least one weekday/);
  expect(problems({ week: { funday: [] } })[0]).toMatch(/funday/);
  expect(problems({ week: { monday: [{ start: '09:00', end: '17:00' }] }, holidays: ['26/01/2026'] })[0]).toMatch(
    /holidays.0: expected a date/,
  );
});
