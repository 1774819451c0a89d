import fc from 'fast-check';
import {
  FIRST_RESPONSE_BUCKETS,
  bucketCounts,
  durationStats,
  mergeHistograms,
  type Histogram,
} from '../../domain/reports/support-metrics';

const histogramOf = (values: number[]): Histogram => {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]);
};

/** percentile_cont as PostgreSQL documents it, over the sorted values themselves. */
const naivePercentile = (sorted: number[], fraction: number): number => {
  const position = fraction * (sorted.length - 1);
  const lo = sorted[Math.floor(position)]!;
  const hi = sorted[Math.ceil(position)]!;
  return lo + (position - Math.floor(position)) * (hi - lo);
};

const durations = fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 300 });

test('percentiles and mean from a histogram equal those of the values', () => {
  fc.assert(
    fc.property(durations, (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      const stats = durationStats(histogramOf(values));
      expect(stats.count).toBe(values.length);
      if (values.length === 0) {
        expect(stats).toEqual({ count: 0, p50Seconds: null, p90Seconds: null, meanSeconds: null });
        return;
      }
      expect(stats.p50Seconds).toBe(naivePercentile(sorted, 0.5));
      expect(stats.p90Seconds).toBe(naivePercentile(sorted, 0.9));
      expect(stats.meanSeconds).toBe(values.reduce((s, v) => s + v, 0) / values.length);
    }),
  );
});

test('merging days’ histograms equals the histogram of all their values', () => {
  fc.assert(
    fc.property(fc.array(durations, { maxLength: 8 }), (days) => {
      expect(mergeHistograms(days.map(histogramOf))).toEqual(histogramOf(days.flat()));
    }),
  );
});

test('bucket counts: lower bound inclusive, upper exclusive, the last bucket open', () => {
  expect(
    bucketCounts(histogramOf([0, 59, 60, 119, 120, 899, 900, 14_399, 14_400, 90_000]), FIRST_RESPONSE_BUCKETS),
  ).toEqual([
    { name: '< 1 min', count: 2 },
    { name: '1–2 min', count: 2 },
    { name: '2–5 min', count: 1 },
    { name: '5–15 min', count: 1 },
    { name: '15–60 min', count: 1 },
    { name: '1–4 h', count: 1 },
    { name: '≥ 4 h', count: 2 },
  ]);
});
