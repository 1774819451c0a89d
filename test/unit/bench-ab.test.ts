import { compare, median, parseArgs } from '../../bench/ab';

describe('the A/B harness of the benchmarks', () => {
  it('reads its own flags before `--` and the benchmark script with its arguments after it', () => {
    expect(
      parseArgs(['--base', '866c2a3', '--rounds', '5', '--', 'bench:webhooks', '--rounds', '1', '--json']),
    ).toEqual({
      base: '866c2a3',
      baseDir: undefined,
      rounds: 5,
      keys: undefined,
      script: 'bench:webhooks',
      args: ['--rounds', '1', '--json'],
    });
    expect(() => parseArgs(['--base', '866c2a3'])).toThrow(/usage/);
    expect(() => parseArgs(['--base', '866c2a3', '--rounds', '0', '--', 'bench:webhooks'])).toThrow(/--rounds/);
  });

  it('takes medians of the rounds and the median of the per-round ratios, this checkout over the baseline', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([NaN])).toBeNaN();
    const base = [
      { ratio: 0.5, api_rps: 100 },
      { ratio: 0.6, api_rps: 90 },
      { ratio: 0.4, api_rps: 80 },
    ];
    const here = [
      { ratio: 1.0, api_rps: 100 },
      { ratio: 0.9, api_rps: 99 },
      { ratio: 1.2, api_rps: 80 },
    ];
    const figures = compare(base, here);
    expect(figures.ratio).toEqual({
      baseline: [0.5, 0.6, 0.4],
      this: [1, 0.9, 1.2],
      baseline_median: 0.5,
      this_median: 1,
      ratio: 2,
    });
    expect(figures.api_rps!.ratio).toBe(1); // 1, 1.1 and 1 in the rounds
    expect(Object.keys(compare(base, here, ['api_rps']))).toEqual(['api_rps']);
  });
});
