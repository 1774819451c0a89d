/**
 * What one new workflow costs the workflow thread, without a server: the SDK's reusable V8 context (the worker's
 * own class) driven directly through a new conversation's two activations (start with its first message, then the
 * step's result), N workflows kept open. Prints the heap each open workflow holds (after a full GC) and the CPU per
 * workflow, for the conversation and the minimal workflow, bundled with this checkout's bundle options and without
 * preloaded modules. Reads SDK internals of @temporalio/worker 1.24.
 *   npm run bench:workflow-footprint -- [--workflows 400] [--watchdog off]
 * `--watchdog off` drops the per-call timeout the SDK passes into the sandbox (what WORKFLOW_DEADLOCK_GUARD=per-thread
 * saves). Stack traces are off, as the worker runs by default.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import type { Payload } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import path from 'node:path';
import { buildWorkflowBundle, ROOT } from './scratch';
import { flag } from './table';

const n = flag('workflows', 400);
const watchdog = process.argv[process.argv.indexOf('--watchdog') + 1] !== 'off';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

if (!watchdog) {
  const run = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (context, options) {
    return run.call(this, context, options && { ...options, timeout: undefined });
  };
}

const json = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const at = Date.parse('2026-01-05T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const settings = { silenceTimeoutMs: 3_600_000, reopenWindowMs: 3_600_000, historyLimit: 10_000, slaTimers: true };
const snapshot = {
  incidenceId: 'incidence',
  userId: 'user',
  stage: 'PRE_ORDER',
  outcome: 'IN_PROGRESS',
  agentId: null,
  cartValue: 1200,
  eventType: 'CART',
  createdAt: iso(at),
  resolvedAt: null,
  lastStateChangeAt: null,
  reopenCount: 0,
  freshchatUserId: 'fc-user',
};
const stepResult = {
  outcomes: ['stored'],
  snapshot,
  sla: { policy: 'standard', status: 'ACTIVE', nextDueAt: iso(at + 86_400_000) },
  details: '**Customer** user · **Cart** ₹1,200 · **Event** CART\n**SLA** standard: ACTIVE',
  deliveries: [],
  handOffs: [],
  followUps: [],
  finishedAt: iso(at + 20),
};
const message = (id: string) => ({
  kind: 'message',
  eventKey: `message-${id}`,
  conversationId: id,
  occurredAt: iso(at),
  format: 'real',
  actor: 'USER',
  actorId: 'customer',
  freshchatUserId: 'fc-user',
  userProperties: null,
  messageId: `m-${id}`,
  text: 'hello, my order is late',
  messageType: 'normal',
});

const KINDS = {
  conversation: {
    type: 'conversationWorkflow',
    args: (id: string) => [{ conversationId: id, settings }],
    signal: (id: string) => ({ signalName: 'message', input: [json(message(id))] }),
    result: { result: json(stepResult) },
  },
  minimal: {
    type: 'minimalWorkflow',
    args: () => [{ silenceTimeoutMs: 3_600_000 }],
    signal: (id: string) => ({ signalName: 'minimal', input: [json(id)] }),
    result: {},
  },
};

async function measure(bundlePath: string, kind: keyof typeof KINDS) {
  const k = KINDS[kind];
  const creator = await ReusableVMWorkflowCreator.create(
    parseWorkflowCode(readFileSync(bundlePath, 'utf8'), bundlePath),
    5_000,
    new Set(['conversationStep', 'insertMinimalRow']),
  );
  const open: Array<{ dispose(): Promise<void> }> = [];
  const start = async (i: number) => {
    const id = `${kind}-${i}`;
    const runId = `run-${id}`;
    const workflowInfo = {
      workflowType: k.type,
      workflowId: id,
      runId,
      firstExecutionRunId: runId,
      taskQueue: 'footprint',
      namespace: 'default',
      attempt: 1,
      historyLength: 3,
      historySize: 0,
      continueAsNewSuggested: false,
      startTime: new Date(at),
      runStartTime: new Date(at),
      searchAttributes: {},
      typedSearchAttributes: [],
      memo: {},
      unsafe: { isReplaying: false, now: Date.now },
      priority: {},
    };
    const workflow = await creator.createWorkflow({
      info: workflowInfo,
      randomnessSeed: [1, 2],
      now: at,
      showStackTraceSources: false,
    } as never);
    await workflow.activate({
      runId,
      timestamp: msToTs(at),
      historyLength: 3,
      jobs: [
        {
          initializeWorkflow: {
            workflowId: id,
            workflowType: k.type,
            arguments: k.args(id).map(json),
            randomnessSeed: 1 as never,
            attempt: 1,
            firstExecutionRunId: runId,
            startTime: msToTs(at),
          },
        },
        { signalWorkflow: k.signal(id) },
      ],
    } as never);
    await workflow.activate({
      runId,
      timestamp: msToTs(at + 20),
      historyLength: 7,
      jobs: [{ resolveActivity: { seq: 1, isLocal: true, result: { completed: k.result } } }],
    } as never);
    open.push(workflow);
  };
  for (let i = 0; i < 20; i++) await start(-1 - i); // the first workflows warm the code up: not counted
  gc!();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < n; i++) await start(i);
  const cpu = process.cpuUsage(cpuBefore);
  gc!();
  const heapKb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / n;
  for (const workflow of open) await workflow.dispose();
  await creator.destroy();
  return { heapKb: Math.round(heapKb * 10) / 10, cpuMs: Math.round(((cpu.user + cpu.system) / 1000 / n) * 100) / 100 };
}

async function main(): Promise<void> {
  const entry = path.join(ROOT, 'bench', 'minimal', 'workflows.ts');
  const bundles = {
    'bundle options': await buildWorkflowBundle(entry),
    'no preloaded modules': await buildWorkflowBundle(entry, [], ROOT, { preloadModules: [] }),
  };
  const rows = [];
  for (const [bundle, file] of Object.entries(bundles))
    for (const kind of ['conversation', 'minimal'] as const)
      rows.push({ bundle, workflow: kind, watchdog, ...(await measure(file, kind)) });
  console.table(rows);
  console.log(JSON.stringify({ workflows: n, rows }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
