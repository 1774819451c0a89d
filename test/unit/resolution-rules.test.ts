import { resolutionFromTags, splitTags, timeToResolveSeconds } from '../../domain/conversation/resolution-rules';

describe('resolutionFromTags (the tag rules)', () => {
  test.each([
    [['order_placed'], 'CONVERTED', 'PLACED', 'order_placed'],
    [['menu_customisation', 'order_placed'], 'CONVERTED', 'PLACED', 'menu_customisation'],
    [['pricing', 'dropped'], 'DROPPED', 'LOST', 'pricing'],
    [['LOST'], 'DROPPED', 'LOST', 'LOST'],
    [['delivery_time'], 'RESOLVED', 'NONE', 'delivery_time'],
    [[], 'RESOLVED', 'NONE', null],
    [['Order_Placed', 'dropped'], 'CONVERTED', 'PLACED', 'Order_Placed'],
  ])('%j → %s / %s, category %s', (tags, outcome, orderImpact, issueCategory) => {
    expect(resolutionFromTags(tags)).toEqual({ outcome, orderImpact, issueCategory });
  });

  test('blank tags are ignored', () => {
    expect(resolutionFromTags(['  ', 'pricing'])).toEqual({
      outcome: 'RESOLVED',
      orderImpact: 'NONE',
      issueCategory: 'pricing',
    });
  });
});

describe('timeToResolveSeconds', () => {
  test('keeps days that timedelta.seconds would drop', () => {
    expect(timeToResolveSeconds('2026-01-20T04:18:33.497Z', '2026-01-22T05:18:34.000Z')).toBe(2 * 86400 + 3600);
  });
  test('whole seconds, never negative', () => {
    expect(timeToResolveSeconds('2026-01-20T04:18:33.900Z', '2026-01-20T04:18:34.100Z')).toBe(0);
    expect(timeToResolveSeconds('2026-01-20T05:00:00Z', '2026-01-20T04:00:00Z')).toBe(0);
  });
  test('unparseable times give 0 rather than NaN', () => {
    expect(timeToResolveSeconds('nonsense', '2026-01-20T04:00:00Z')).toBe(0);
  });
});

test('splitTags reads comma-separated property values', () => {
  expect(splitTags(' pricing, dropped ,,')).toEqual(['pricing', 'dropped']);
  expect(splitTags(42)).toEqual([]);
});
