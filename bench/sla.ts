/**
 * SLA timers under load: N conversations whose customers are never answered, each with a running first-response
 * timer; measures how long after its due time each breach is recorded (the SLA_BREACHED timeline row's insert time
 * minus the target's due time), split into how late Temporal fired the timer (from the conversations' histories) and
 * how long from the fired timer to the breach row (our part). The first messages arrive evenly over `--spread`
 * seconds, as real traffic spreads them (0: all at once, as fast as `--concurrency` clients can start them, so the due
 * times bunch into the same few seconds). Self-contained: a scratch database, a private dev server (or
 * BENCH_TEMPORAL_ADDRESS) and one worker process (WORKER_* settings from the environment).
 *   npm run bench:sla -- --conversations 1000 --due-after 120 --spread 60
 */
import 'dotenv/config';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client as TemporalClient, Connection, WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import { Client } from 'pg';
import { conversationWorkflowId, type MessageEvent } from '../domain/conversation/conversation-event';
import { loadSettings } from '../infra/settings';
import { messageSignal } from '../workflows/signals';
import { buildWorkflowBundle, scratchDatabase, startNodeProcess, stopProcess, temporalServer } from './scratch';
import { flag, percentile, printCounts } from './table';
import { cpuMs } from './worker-counters';

/** Worker settings a run may take from the environment (the worker process inherits it). */
const WORKER_SETTINGS = ['WORKER_MAX_WORKFLOW_TASKS', 'WORKER_WORKFLOW_POLLERS', 'WORKER_MAX_CACHED_WORKFLOWS'];

async function main(): Promise<void> {
  const conversations = flag('conversations', 1000);
  const dueAfterSeconds = flag('due-after', 120); // after the start phase, so timers are measured, not start-up
  const concurrency = flag('concurrency', 50);
  // Over a minute, all timers are running before the first comes due (with the default due-after).
  const spreadSeconds = flag('spread', 60);
  const historySample = flag('histories', conversations);
  const loadBefore = loadavg();
  const policyFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-sla-')), 'policies.json');
  writeFileSync(
    policyFile,
    JSON.stringify({ policies: [{ name: 'bench', firstResponse: `${dueAfterSeconds}s`, hours: 'calendar' }] }),
  );

  const scratch = await scratchDatabase('slo_bench_sla');
  const server = await temporalServer(process.env.BENCH_TEMPORAL_ADDRESS);
  const taskQueue = `bench-sla-${process.pid}`;
  const env = {
    DATABASE_URL: scratch.url,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    REDIS_KEY_PREFIX: `slo-bench-sla:${process.pid}:`,
    SLA_POLICY_FILE: policyFile,
    // On by default (docs/slas.md); set here so that an environment turning them off does not empty the benchmark.
    SLA_TIMERS_ENABLED: 'true',
    ANALYTICS_SCHEDULES_ENABLED: 'false',
    WORKFLOW_BUNDLE_PATH: await buildWorkflowBundle(),
  };
  const worker = startNodeProcess('worker.ts', env);
  const settings = loadSettings({ ...process.env, ...env });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new TemporalClient({ connection, namespace: settings.temporal.namespace });
  const db = new Client({ connectionString: scratch.url });
  await db.connect();
  try {
    const started = performance.now();
    let next = 0;
    const startOne = async () => {
      for (let i = next++; i < conversations; i = next++) {
        const at = started + (i * spreadSeconds * 1000) / conversations;
        if (at > performance.now()) await new Promise((r) => setTimeout(r, at - performance.now()));
        const conversationId = `bench-sla-${randomUUID()}`;
        await temporal.workflow.signalWithStart('conversationWorkflow', {
          workflowId: conversationWorkflowId(conversationId),
          taskQueue,
          args: [{ conversationId, settings: settings.conversation }],
          signal: messageSignal,
          signalArgs: [customerMessage(conversationId, i)],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, startOne));
    const startSeconds = (performance.now() - started) / 1000;

    const active = await waitFor(
      db,
      `SELECT count(*)::int AS n FROM sla_targets WHERE target = 'FIRST_RESPONSE'`,
      conversations,
      600_000,
    );
    // The worker's CPU over the breach phase (first due time to last breach row): is it the worker that holds them up?
    const firstDue = (
      await db.query<{ ms: string }>(`SELECT (EXTRACT(EPOCH FROM min(due_at)) * 1000)::bigint AS ms
      FROM sla_targets WHERE target = 'FIRST_RESPONSE'`)
    ).rows[0]!.ms;
    await new Promise((r) => setTimeout(r, Math.max(0, Number(firstDue) - Date.now())));
    const cpuAtFirstDue = cpuMs(worker.pid!);
    const breached = await waitFor(
      db,
      `SELECT count(*)::int AS n FROM incidence_timeline WHERE event_type = 'SLA_BREACHED'`,
      conversations,
      600_000 + dueAfterSeconds * 1000,
    );
    const breachCpuMs = cpuMs(worker.pid!) - cpuAtFirstDue;
    const breachPhaseMs =
      Number(
        (
          await db.query<{ ms: string }>(`SELECT (EXTRACT(EPOCH FROM max(created_at)) * 1000)::bigint AS ms
        FROM incidence_timeline WHERE event_type = 'SLA_BREACHED'`)
        ).rows[0]!.ms,
      ) - Number(firstDue);
    // A breach is measured when its timer was running before the due time (the conversation's first event stored at
    // least a second before it); one whose conversation the worker reached only after the due time is counted apart.
    const { rows } = await db.query<{
      conversation_id: string;
      due_ms: string;
      row_ms: string;
      timer_running: boolean;
    }>(`
      SELECT i.conversation_id,
             (EXTRACT(EPOCH FROM (b.metadata->>'due_at')::timestamptz) * 1000)::bigint AS due_ms,
             (EXTRACT(EPOCH FROM b.created_at) * 1000)::bigint AS row_ms,
             m.created_at < (b.metadata->>'due_at')::timestamptz - interval '1 second' AS timer_running
      FROM incidence_timeline b
      JOIN incidences i ON i.id = b.incidence_id
      JOIN incidence_timeline m ON m.incidence_id = b.incidence_id AND m.event_type = 'MESSAGE'
      WHERE b.event_type = 'SLA_BREACHED'`);
    const measured = rows.filter((r) => r.timer_running);
    const late = measured.map((r) => Number(r.row_ms) - Number(r.due_ms));
    const { rows: dues } = await db.query<{ span_s: number; running_at_first_due: number }>(`
      SELECT EXTRACT(EPOCH FROM max(due_at) - min(due_at))::float8 AS span_s,
             (SELECT count(*)::int FROM incidence_timeline
              WHERE event_type = 'MESSAGE' AND created_at < (SELECT min(due_at) FROM sla_targets)) AS running_at_first_due
      FROM sla_targets WHERE target = 'FIRST_RESPONSE'`);
    const split = await timerSplit(temporal, measured.slice(0, historySample));
    const loadAfter = loadavg();
    const ms = (values: number[]) =>
      [50, 90, 99].map((p) => percentile(values, p).toFixed(0)).join(' / ') + ` / ${Math.max(...values).toFixed(0)}`;
    printCounts({
      conversations,
      'first messages spread over (s)': spreadSeconds,
      'started in (s)': startSeconds.toFixed(1),
      'due after (s)': dueAfterSeconds,
      'due times span (s)': Number(dues[0]!.span_s).toFixed(1),
      'first messages stored before the first due time': dues[0]!.running_at_first_due,
      'first-response timers started': active,
      'breaches recorded': breached,
      'of which the timer ran before due (measured)': late.length,
      'breach recorded after due, p50 / p90 / p99 / max (ms)': ms(late),
      'p99 <= 1000 ms': percentile(late, 99) <= 1000,
      'histories read (of the measured)': split.fired.length,
      'Temporal fired the timer after due (ms)': ms(split.fired),
      '  of which timer started + duration - due (ms)': ms(split.clockLag),
      '  of which fired - (timer started + duration) (ms)': ms(split.serverLate),
      'timer fired -> breach row, ours (ms)': ms(split.toRow),
      '  of which fired -> workflow task started (ms)': ms(split.toTask),
      '  of which task started -> breach row (ms)': ms(split.taskToRow),
      'breach phase (first due -> last breach row, s)': (breachPhaseMs / 1000).toFixed(1),
      'worker CPU in it (s; per breach, ms)': `${(breachCpuMs / 1000).toFixed(1)}; ${(breachCpuMs / breached).toFixed(1)}`,
      'load average (1/5/15 min) before': loadBefore.map((l) => l.toFixed(1)).join(' / '),
      'load average (1/5/15 min) after': loadAfter.map((l) => l.toFixed(1)).join(' / '),
      'worker settings':
        WORKER_SETTINGS.filter((k) => process.env[k])
          .map((k) => `${k}=${process.env[k]}`)
          .join(' ') || 'defaults',
    });
  } finally {
    await db.end();
    await connection.close();
    await stopProcess(worker);
    await server.stop();
    await scratch.drop();
  }
}

function customerMessage(conversationId: string, i: number): MessageEvent {
  return {
    kind: 'message',
    eventKey: `message:${conversationId}`,
    conversationId,
    occurredAt: new Date().toISOString(),
    format: 'simplified',
    actor: 'USER',
    actorId: null,
    freshchatUserId: null,
    userProperties: { user_id: `bench-user-${i}`, cart_value: 30_000 + i, event_type: 'WEDDING', guest_count: 100 },
    messageId: null,
    text: 'Is the platter available for 100 guests?',
    messageType: 'normal',
  };
}

/**
 * Where each breach's lateness went, from its conversation's history (event times are the server's clock, the row's
 * insert time the database's: one machine, one clock): the first-response timer's TimerFired minus the due time
 * (Temporal's part), and the breach row's insert time minus TimerFired (ours), split at the workflow task that
 * handled the fired timer (waiting for the worker to take it, then the worker's activation and the breach's
 * transaction).
 */
async function timerSplit(
  temporal: TemporalClient,
  breaches: Array<{ conversation_id: string; due_ms: string; row_ms: string }>,
): Promise<TimerSplit> {
  const out: TimerSplit = { fired: [], clockLag: [], serverLate: [], toRow: [], toTask: [], taskToRow: [] };
  let next = 0;
  const readOne = async () => {
    for (let i = next++; i < breaches.length; i = next++) {
      const b = breaches[i]!;
      const due = Number(b.due_ms);
      const row = Number(b.row_ms);
      const events =
        (await temporal.workflow.getHandle(conversationWorkflowId(b.conversation_id)).fetchHistory()).events ?? [];
      // The SLA timer carries the summary `SLA due …` (`SLA first_response due …` before the one-step core); the
      // silence timer fires days later.
      const slaTimers = new Set(
        events
          .filter((e) => e.timerStartedEventAttributes && /^SLA (first_response )?due/.test(summaryOf(e)))
          .map((e) => String(e.eventId)),
      );
      // The last SLA timer to fire (the commit before the one-step core woke a long wait early to aim it again).
      const firedAt = events.reduce(
        (last, e, i) =>
          e.timerFiredEventAttributes &&
          (slaTimers.size === 0 || slaTimers.has(String(e.timerFiredEventAttributes.startedEventId)))
            ? i
            : last,
        -1,
      );
      if (firedAt < 0) continue;
      const fired = timeOf(events[firedAt]!);
      const startedId = String(events[firedAt]!.timerFiredEventAttributes!.startedEventId);
      const started = events.find((e) => String(e.eventId) === startedId);
      const timeout = started?.timerStartedEventAttributes?.startToFireTimeout;
      if (started && timeout) {
        const expected = timeOf(started) + Number(timeout.seconds ?? 0) * 1000 + Math.floor((timeout.nanos ?? 0) / 1e6);
        out.clockLag.push(expected - due);
        out.serverLate.push(fired - expected);
      }
      const task = events.slice(firedAt).find((e) => e.workflowTaskStartedEventAttributes);
      out.fired.push(fired - due);
      out.toRow.push(row - fired);
      if (task) {
        out.toTask.push(timeOf(task) - fired);
        out.taskToRow.push(row - timeOf(task));
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, readOne));
  return out;
}

interface TimerSplit {
  fired: number[];
  /** The timer's expected fire time (its TimerStarted time plus its duration) minus the due time. */
  clockLag: number[];
  /** TimerFired minus the expected fire time: the server's own precision. */
  serverLate: number[];
  toRow: number[];
  toTask: number[];
  taskToRow: number[];
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

const timeOf = (e: HistoryEvent): number =>
  Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);

/** A timer's summary (a JSON string payload; unreadable when payloads are encrypted, then empty). */
function summaryOf(e: HistoryEvent): string {
  const data = e.userMetadata?.summary?.data;
  if (!data) return '';
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

async function waitFor(db: Client, query: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await db.query<{ n: number }>(query)).rows[0]!.n;
    if (n >= expected || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
