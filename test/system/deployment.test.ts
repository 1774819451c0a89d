import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * The deployment files users run (docker compose, the image, Prometheus, Grafana), checked without Docker: the
 * compose file against the Compose specification's JSON schema (test/fixtures/compose-spec.json, the
 * compose-spec/compose-spec repository's schema/compose-spec.json), then the rules this project's deployment keeps.
 */

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
type Service = Record<string, any>;
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
/** The file names its draft as https://…/draft-07/schema, which Ajv knows as http://…/draft-07/schema#. */
const { $schema: _draft, ...schema } = JSON.parse(read('test/fixtures/compose-spec.json'));
const validateCompose = (doc: unknown) => {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};
const oneShot = (name: string) => services[name]!.restart === 'no';
const app = ['migrate', 'worker', 'api'];

test('docker-compose.yml follows the Compose specification', () => {
  expect(validateCompose(parse(read('docker-compose.yml'), { merge: true }))).toEqual([]);
  // The check can fail: a misspelt key or a wrong type is refused.
  const broken = parse(read('docker-compose.yml'), { merge: true });
  broken.services.api.healthcheck.intervall = '10s';
  broken.services.worker.depends_on = 'temporal';
  broken.services.api.depends_on.temporal.required = 'no';
  expect(validateCompose(broken).length).toBeGreaterThan(0);
});

/** The services `docker compose up` starts with these profiles, failing as Compose does on a missing dependency. */
function enabledWith(profiles: string[]): string[] {
  const enabled = Object.keys(services).filter(
    (name) => !services[name]!.profiles || services[name]!.profiles.some((p: string) => profiles.includes(p)),
  );
  for (const name of enabled) {
    for (const [dependency, rule] of Object.entries<any>(services[name]!.depends_on ?? {})) {
      if (!enabled.includes(dependency) && rule.required !== false) {
        throw new Error(`with ${profiles.join(',') || 'no profile'}: ${name} depends on disabled ${dependency}`);
      }
    }
  }
  return enabled;
}
const temporalFor = (profiles: string[]) =>
  enabledWith(profiles).filter(
    (name) => name === 'temporal' || services[name]!.networks?.default?.aliases?.includes('temporal'),
  );

test('Temporal is picked by profile: the supported server by default (.env.example), the dev server for a trial', () => {
  expect(read('.env.example')).toMatch(/^COMPOSE_PROFILES=server$/m);
  expect(temporalFor(['server'])).toEqual(['temporal']);
  expect(temporalFor(['trial'])).toEqual(['temporal-dev']);
  expect(temporalFor(['server', 'observability'])).toEqual(['temporal']);
  expect(enabledWith(['trial'])).not.toEqual(expect.arrayContaining(['temporal-schema']));
  // The worker, the API and the UI wait for whichever Temporal runs.
  for (const name of ['worker', 'api', 'temporal-ui']) {
    const waitsFor = (profiles: string[]) =>
      Object.keys(services[name]!.depends_on).filter((d) => enabledWith(profiles).includes(d));
    expect(waitsFor(['server']).some((d) => d.startsWith('temporal'))).toBe(true);
    expect(waitsFor(['trial'])).toContain('temporal-dev');
  }
  expect(services.worker!.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  // The check can fail: a required dependency on a service of another profile is refused, as Compose refuses it.
  services.api!.depends_on['temporal-dev'].required = true;
  try {
    expect(() => enabledWith(['server'])).toThrow('api depends on disabled temporal-dev');
  } finally {
    services.api!.depends_on['temporal-dev'].required = false;
  }
});

test("the trial runs Temporal's dev server image with a healthcheck of its own", () => {
  const dev = services['temporal-dev']!;
  expect(dev.image).toMatch(/^temporalio\/temporal:\d/);
  expect(dev.command.slice(0, 2)).toEqual(['server', 'start-dev']);
  expect(dev.command).toEqual(expect.arrayContaining(['--ip', '0.0.0.0', '--namespace']));
  expect(dev.healthcheck.test.join(' ')).toContain('operator cluster health');
});

test('Temporal runs on its supported images: the server, and the admin tools setting up its schemas once', () => {
  expect(read('docker-compose.yml')).not.toContain('auto-setup');
  expect(services.temporal!.image).toMatch(/^temporalio\/server:\d/);
  expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:\d/);
  expect(services['temporal-schema']!.command.join('\n')).toMatch(/setup-schema[\s\S]*update-schema/);
  expect(services.temporal!.depends_on['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
});

test('every long-running service has a healthcheck; the one-shot steps run to completion first', () => {
  const longRunning = Object.keys(services).filter((name) => !oneShot(name));
  expect(longRunning.filter((name) => !services[name]!.healthcheck?.test)).toEqual([]);
  expect(Object.keys(services).filter(oneShot).sort()).toEqual(['migrate', 'temporal-namespace', 'temporal-schema']);
  expect(services.worker!.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
  expect(services.worker!.environment.MIGRATE_ON_START).toBe('false');
  expect(services.migrate!.command).toEqual(['node', 'dist/scripts/migrate.js']);
});

test("the API waits for the worker's and Temporal's health, not their start", () => {
  expect(services.api!.depends_on).toMatchObject({
    worker: { condition: 'service_healthy' },
    temporal: { condition: 'service_healthy' },
    'temporal-dev': { condition: 'service_healthy' },
  });
  const worker = services.worker!;
  expect(worker.environment).toMatchObject({ WORKER_METRICS_PORT: 9464, WORKER_HEALTH_PORT: 8081 });
  expect(worker.healthcheck.test.join(' ')).toContain('127.0.0.1:8081/health');
  expect(services.api!.healthcheck.test.join(' ')).toContain('/ready');
});

test('settings come from the env file; compose only points the services at each other', () => {
  const example = read('.env.example');
  const settings = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
  expect(settings.length).toBeGreaterThan(30);
  const wiring = ['NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS', 'PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
  const deployment = ['MIGRATE_ON_START', 'WORKER_METRICS_PORT', 'WORKER_HEALTH_PORT', 'API_METRICS_PORT'];
  for (const name of app) {
    expect(services[name]!.env_file).toEqual(['.env']);
    const own = Object.keys(services[name]!.environment ?? {});
    expect(own.filter((key) => !wiring.includes(key) && !deployment.includes(key))).toEqual([]);
  }
});

test('the observability profile: Prometheus scraping both processes with alerts, Grafana, a collector, Jaeger', () => {
  const profile = Object.keys(services).filter((name) => services[name]!.profiles?.includes('observability'));
  expect(profile.sort()).toEqual(['grafana', 'jaeger', 'otel-collector', 'prometheus']);
  const prometheus = parse(read('deploy/prometheus/prometheus.yml'));
  const targets = prometheus.scrape_configs.flatMap((c: any) => c.static_configs.flatMap((s: any) => s.targets));
  expect(targets.sort()).toEqual(['api:9465', 'worker:9464']);
  expect(services.grafana!.volumes.join('\n')).toContain('./docs/grafana-dashboard.json:');
  const collector = parse(read('deploy/otel/collector.yaml'));
  expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
});

test('the alert rules cover webhook 5xx, schedule-to-start, dead letters, reconciliation and SLA breaches', () => {
  const rules = parse(read('deploy/prometheus/alerts.yml')).groups.flatMap((g: any) => g.rules);
  const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r.expr as string]));
  expect(Object.keys(byName).sort()).toEqual([
    'DeadLettersGrowing',
    'ReconciliationFailing',
    'SlaBreachesRising',
    'WebhookServerErrors',
    'WorkflowTaskScheduleToStartHigh',
  ]);
  expect(byName.WebhookServerErrors).toContain('route="/webhooks/freshchat", status=~"5.."');
  // The SDK reports schedule-to-start in milliseconds.
  expect(byName.WorkflowTaskScheduleToStartHigh).toMatch(/schedule_to_start_latency_bucket[\s\S]*> 1000$/);
  expect(byName.DeadLettersGrowing).toContain('slo_dead_letters');
  expect(byName.SlaBreachesRising).toContain('event_type="SLA_BREACHED"');
  for (const rule of rules) expect(rule.annotations.summary).toBeTruthy();
});

test("the dashboard uses the SDK's units and filters by job and instance", () => {
  const dashboard = JSON.parse(read('docs/grafana-dashboard.json'));
  const panels = dashboard.panels.flatMap((p: any) => [p, ...(p.panels ?? [])]);
  const scheduleToStart = panels.find((p: any) => JSON.stringify(p.targets ?? []).includes('schedule_to_start'));
  expect(scheduleToStart.fieldConfig.defaults.unit).toBe('ms');
  expect(scheduleToStart.title).toContain('1000 ms');
  expect(dashboard.templating.list.map((v: any) => v.name)).toEqual(expect.arrayContaining(['job', 'instance']));
  const exprs: string[] = panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
  expect(exprs.length).toBeGreaterThan(10);
  expect(exprs.filter((e) => !e.includes('job=~"$job", instance=~"$instance"'))).toEqual([]);
});

test('the image builds the workflow bundle, points the worker at it, and has a HEALTHCHECK', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/RUN .*npm run build:workflow-bundle -- dist\/workflow-bundle\.js/);
  expect(dockerfile).toContain('WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js');
  expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  expect(JSON.parse(read('package.json')).scripts['build:workflow-bundle']).toContain('build-workflow-bundle');
});
