import {
  addDays,
  addWeeks,
  dayBounds,
  daysBetween,
  istDateOf,
  isoWeekOf,
  parseIsoDate,
  parseIsoWeek,
  previousWeek,
  weekBounds,
  weeksInYear,
} from '../../domain/reports/iso-week';

describe('ISO week in India time', () => {
  test('Sunday 23:30 IST is still the week; Monday 00:30 IST is the next', () => {
    expect(isoWeekOf('2026-11-29T18:00:00Z')).toBe('2026-W48'); // Sun 29 Nov 23:30 IST
    expect(isoWeekOf('2026-11-29T19:00:00Z')).toBe('2026-W49'); // Mon 30 Nov 00:30 IST
  });

  test('Sunday 20:00 UTC is Monday 01:30 IST: next week, although UTC still says Sunday', () => {
    expect(isoWeekOf('2026-11-29T20:00:00Z')).toBe('2026-W49');
    expect(istDateOf('2026-11-29T20:00:00Z')).toBe('2026-11-30');
  });

  test('the exact boundary: Monday 00:00 IST belongs to the new week, one millisecond before to the old', () => {
    expect(isoWeekOf('2026-11-29T18:30:00.000Z')).toBe('2026-W49');
    expect(isoWeekOf('2026-11-29T18:29:59.999Z')).toBe('2026-W48');
  });

  test('week bounds are Monday 00:00 IST to the next Monday, as UTC instants', () => {
    expect(weekBounds('2026-W48')).toEqual({ start: '2026-11-22T18:30:00.000Z', end: '2026-11-29T18:30:00.000Z' });
  });

  test('years with 53 weeks: 2026 starts on a Thursday, 2020 is a leap year starting on a Wednesday', () => {
    expect(weeksInYear(2026)).toBe(53);
    expect(weeksInYear(2020)).toBe(53);
    expect(weeksInYear(2015)).toBe(53);
    expect(weeksInYear(2025)).toBe(52);
    expect(weeksInYear(2027)).toBe(52);
    expect(weeksInYear(2024)).toBe(52); // leap, but starts on a Monday
  });

  test('year boundary: 1 Jan 2027 is in 2026-W53; 4 Jan 2027 starts 2027-W01', () => {
    expect(isoWeekOf('2026-12-31T19:00:00Z')).toBe('2026-W53'); // 1 Jan 2027 00:30 IST
    expect(isoWeekOf('2027-01-03T18:29:00Z')).toBe('2026-W53'); // Sun 3 Jan 23:59 IST
    expect(isoWeekOf('2027-01-03T18:30:00Z')).toBe('2027-W01');
    expect(weekBounds('2026-W53')).toEqual({ start: '2026-12-27T18:30:00.000Z', end: '2027-01-03T18:30:00.000Z' });
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(previousWeek('2027-W01')).toBe('2026-W53');
    expect(previousWeek('2026-W01')).toBe('2025-W52');
    expect(isoWeekOf('2021-01-01T06:00:00Z')).toBe('2020-W53');
    expect(isoWeekOf('2024-12-30T06:00:00Z')).toBe('2025-W01'); // Monday 30 Dec 2024 belongs to 2025
  });

  test('parsing accepts only real weeks', () => {
    expect(parseIsoWeek('2026-W48')).toEqual({ year: 2026, week: 48 });
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
    for (const bad of [
      '2027-W53',
      '2026-W00',
      '2026-W54',
      '2026W48',
      '2026-w48',
      '2026-W4',
      '26-W48',
      '2026-W48 ',
      '',
      '2026-W48.html',
    ]) {
      expect(parseIsoWeek(bad)).toBeNull();
    }
    expect(() => weekBounds('2027-W53')).toThrow(RangeError);
  });

  test('every week of a few years round-trips through its bounds', () => {
    for (const year of [2025, 2026, 2027]) {
      for (let week = 1; week <= weeksInYear(year); week++) {
        const id = `${year}-W${String(week).padStart(2, '0')}`;
        const { start, end } = weekBounds(id);
        expect(isoWeekOf(start)).toBe(id);
        expect(isoWeekOf(Date.parse(end) - 1)).toBe(id);
        expect(Date.parse(end) - Date.parse(start)).toBe(7 * 86_400_000);
      }
    }
  });
});

describe('India-time days', () => {
  test('day bounds and arithmetic', () => {
    expect(dayBounds('2026-11-25')).toEqual({ start: '2026-11-24T18:30:00.000Z', end: '2026-11-25T18:30:00.000Z' });
    expect(istDateOf('2026-11-24T18:29:59Z')).toBe('2026-11-24');
    expect(istDateOf('2026-11-24T18:30:00Z')).toBe('2026-11-25');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-11-01', '2026-11-30')).toBe(30);
  });

  test('dates must be real', () => {
    expect(parseIsoDate('2026-02-28')).toBe('2026-02-28');
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', 'yesterday', '2026-11-25T00:00:00Z'])
      expect(parseIsoDate(bad)).toBeNull();
  });
});
