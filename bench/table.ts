/** Shared helpers for bench/ scripts: `--name value` flags and one table format for every benchmark. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface BenchRow {
  name: string;
  requests: number;
  reqPerSec?: number;
  p50: number;
  p95: number;
  p99: number;
}

export function printTable(rows: BenchRow[]): void {
  const fmt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(n >= 100 ? 0 : 1));
  console.table(
    rows.map((r) => ({
      name: r.name,
      requests: r.requests,
      'req/s': fmt(r.reqPerSec),
      'p50 ms': fmt(r.p50),
      'p95 ms': fmt(r.p95),
      'p99 ms': fmt(r.p99),
    })),
  );
}

/** Named counts, one per row, in the same console.table form as the latency tables. */
export function printCounts(counts: Record<string, number | boolean | string>): void {
  console.table(
    Object.entries(counts).map(([what, value]) => ({
      what,
      value: typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : value,
    })),
  );
}
