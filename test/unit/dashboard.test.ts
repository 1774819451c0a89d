import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import '../../api/metrics';
import '../../gateways/handoff';
import { registry } from '../../infra/metrics-registry';

const ROOT = path.join(__dirname, '..', '..');

const ownMetrics = (exprs: string[]) =>
  new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:slo|http|process)_[a-z_]+)/g)].map((m) => m[1]!)));
const workerSource = readFileSync(path.join(ROOT, 'infra', 'worker-metrics.ts'), 'utf8');
/** The API's prom-client registry, or a counter of the worker's (the SDK's meter exports counters without `_total`). */
const exported = (name: string) =>
  registry.getSingleMetric(name.replace(/_(bucket|count|sum)$/, '')) !== undefined ||
  workerSource.includes(`'${name}'`);

test('the Grafana dashboard queries only metrics the API or the worker exports', () => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs', 'grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
    (p.targets ?? []).map((t) => t.expr),
  );
  const names = ownMetrics(exprs);
  expect(names.size).toBeGreaterThanOrEqual(8);
  expect([...names].filter((name) => !exported(name))).toEqual([]);
});

test('the alert rules query only metrics the API or the worker exports', () => {
  const rules = parse(readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')).groups.flatMap(
    (g: { rules: { expr: string }[] }) => g.rules,
  );
  const names = ownMetrics(rules.map((r: { expr: string }) => r.expr));
  expect([...names].sort()).toEqual([
    'http_requests_total',
    'slo_activity_failures',
    'slo_dead_letters',
    'slo_events_applied',
  ]);
  expect([...names].filter((name) => !exported(name))).toEqual([]);
});
