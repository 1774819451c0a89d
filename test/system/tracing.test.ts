import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowCode } from '@temporalio/worker';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { loadSettings } from '../../infra/settings';
import { SERVICE_NAMES, startTracing, tracingWith, WORKFLOW_TRACING_MODULE } from '../../infra/tracing';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../infra/workflow-bundle';
import { fixtureFor, storedIncidence, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { replayHistory } from '../support/replay';
import { hmacSign, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
const bundlePath = path.join(__dirname, '..', '..', '.run', 'test', `tracing-bundle-${process.pid}.js`);
let system: TestSystem;
const noop = () => undefined;

beforeAll(async () => {
  // The shared bundle has no tracing module; this worker's bundle carries it, as a traced production worker's does.
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    workflowsPath: path.join(__dirname, '..', '..', 'workflows'),
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error },
  });
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, code);
  system = await startTestSystem(
    // A resolved conversation's run ends soon, so its workflow span ends (and is exported) within the test.
    { CONVERSATION_REOPEN_WINDOW: '1s' },
    {
      tracing: { api: tracingWith(SERVICE_NAMES.api, processor), worker: tracingWith(SERVICE_NAMES.worker, processor) },
      workflowBundlePath: bundlePath,
    },
  );
}, 120_000);
afterAll(async () => {
  await system?.stop();
  rmSync(bundlePath, { force: true });
});

const post = async (body: string) => expect((await postWebhook(system.baseUrl, body, hmacSign(body))).status).toBe(200);
const service = (span: ReadableSpan) => span.resource.attributes['service.name'];

test('one trace runs from the webhook request through the signal into the workflow and its activities', async () => {
  const conversationId = uniqueConversationId();
  await post(fixtureFor('simplified-message_create.json', WEDDING_ID, conversationId));
  await storedIncidence(system.pool, conversationId);
  await post(fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, conversationId));
  await system.client.workflow.getHandle(conversationWorkflowId(conversationId)).result();

  const spans = await eventually(async () => {
    const all = exporter.getFinishedSpans();
    expect(all.map((s) => s.name)).toContain('RunWorkflow:conversationWorkflow');
    return all;
  });
  const [first, second] = spans.filter((s) => s.name === 'POST /webhooks/freshchat');
  const children = (name: string, parent: ReadableSpan) => {
    const found = spans.filter((s) => s.name === name && s.parentSpanId === parent.spanContext().spanId);
    for (const span of found) expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    return found;
  };
  const one = (name: string, parent: ReadableSpan) => {
    const found = children(name, parent);
    expect(found.map((s) => s.name)).toEqual([name]);
    return found[0]!;
  };

  // The first event starts the run: request → signalWithStart → the run → each local activity, scheduled and run.
  expect(first!.parentSpanId).toBeUndefined();
  expect(first!.attributes).toMatchObject({ 'http.route': '/webhooks/freshchat', 'http.response.status_code': 200 });
  const start = one('SignalWithStartWorkflow:conversationWorkflow', first!);
  expect(start.attributes.temporalWorkflowId).toBe(conversationWorkflowId(conversationId));
  const run = one('RunWorkflow:conversationWorkflow', start);
  // The loop stores the events under the run, one step per wake-up (the second is sent once the first is stored).
  for (const [activity, times] of [['conversationStep', 2]] as const) {
    const scheduled = children(`StartActivity:${activity}`, run);
    expect(scheduled).toHaveLength(times);
    for (const span of scheduled) expect(service(one(`RunActivity:${activity}`, span))).toBe(SERVICE_NAMES.worker);
  }
  expect([first!, start].map(service)).toEqual([SERVICE_NAMES.api, SERVICE_NAMES.api]);
  expect(service(run)).toBe(SERVICE_NAMES.worker);
  // Workflow spans name their run, and nothing the workflow holds (search attributes carry the user and cart).
  expect(run.attributes).toMatchObject({
    workflowId: conversationWorkflowId(conversationId),
    workflowType: 'conversationWorkflow',
  });
  expect(Object.keys(run.attributes)).not.toContain('searchAttributes');

  // A later event's request reaches the running workflow's signal handler in a trace of its own.
  const signalled = one('HandleSignal:resolution', one('SignalWithStartWorkflow:conversationWorkflow', second!));
  expect(signalled.spanContext().traceId).not.toBe(run.spanContext().traceId);
});

test("a caller's traceparent is continued by the request span; health probes make none", async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';
  await fetch(`${system.baseUrl}/health`);
  const refused = await fetch(`${system.baseUrl}/webhooks/freshchat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
    body: '{}',
  });
  expect(refused.status).toBe(401);

  const continued = await eventually(async () => {
    const found = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    expect(found).toHaveLength(1);
    return found[0]!;
  });
  expect(continued.parentSpanId).toBe(callerSpanId);
  expect(continued.attributes['http.response.status_code']).toBe(401);
  expect(exporter.getFinishedSpans().filter((s) => s.name.startsWith('GET'))).toEqual([]);
});

test('recorded conversation histories replay with the tracing interceptors in the bundle', () => {
  const versions = readdirSync(path.join(__dirname, '..', 'replay', 'histories'));
  expect(versions.length).toBeGreaterThan(0);
  for (const version of versions) {
    const replay = replayHistory(`${version}/conversation.pb`, `${version}/conversation`, bundlePath);
    expect(replay.stderr).toBe('');
    expect(replay.stdout.trim()).toMatch(/^replayed \d+ events$/);
  }
});

test('with OTEL_EXPORTER_OTLP_ENDPOINT set, spans leave by OTLP/HTTP as the service that made them', async () => {
  const bodies: { url?: string; body: string }[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    expect(startTracing('worker', loadSettings({}).tracing)).toBeUndefined();
    const tracing = startTracing('worker', loadSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).tracing)!;
    tracing.tracer.startSpan('probe').end();
    await tracing.shutdown();

    expect(bodies.map((b) => b.url)).toEqual(['/v1/traces']);
    expect(bodies[0]!.body).toContain(SERVICE_NAMES.worker);
    expect(bodies[0]!.body).toContain('probe');
  } finally {
    await new Promise((resolve) => collector.close(resolve));
  }
});
