import { readFileSync } from 'node:fs';
import path from 'node:path';
import '../../api/metrics';
import '../../gateways/handoff';
import { registry } from '../../infra/metrics-registry';

const ROOT = path.join(__dirname, '..', '..');

test('the Grafana dashboard queries only metrics the API or the worker exports', () => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs', 'grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
    (p.targets ?? []).map((t) => t.expr),
  );
  const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:slo|http|process)_[a-z_]+)/g)].map((m) => m[1]!)));
  const workerSource = readFileSync(path.join(ROOT, 'infra', 'worker-metrics.ts'), 'utf8');
  const exported = (name: string) =>
    registry.getSingleMetric(name.replace(/_(bucket|count|sum)$/, '')) !== undefined ||
    workerSource.includes(`'${name}'`);
  expect(names.size).toBeGreaterThanOrEqual(8);
  expect([...names].filter((name) => !exported(name))).toEqual([]);
});
