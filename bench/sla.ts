/**
 * SLA timers under load: N conversations whose customers are never answered, each with a running first-response
 * timer; measures how long after its due time each breach is recorded (the SLA_BREACHED timeline row's insert time
 * minus the target's due time). Self-contained: a scratch database, a private dev server (or BENCH_TEMPORAL_ADDRESS) and
 * one worker process.
 *   npm run bench:sla -- --conversations 1000 --due-after 60
 */
import 'dotenv/config';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client as TemporalClient, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { Client } from 'pg';
import { conversationWorkflowId, type MessageEvent } from '../domain/conversation-event';
import { loadSettings } from '../infra/settings';
import { messageSignal } from '../workflows/signals';
import { buildWorkflowBundle, scratchDatabase, startNodeProcess, stopProcess, temporalServer } from './scratch';
import { flag, percentile, printCounts } from './table';

async function main(): Promise<void> {
  const conversations = flag('conversations', 1000);
  const dueAfterSeconds = flag('due-after', 120); // after the start phase, so timers are measured, not start-up
  const concurrency = flag('concurrency', 50);
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
    const breached = await waitFor(
      db,
      `SELECT count(*)::int AS n FROM incidence_timeline WHERE event_type = 'SLA_BREACHED'`,
      conversations,
      600_000 + dueAfterSeconds * 1000,
    );
    // A breach is measured when its timer was running before the due time (the conversation's first event stored at
    // least a second before it); one whose conversation the worker reached only after the due time is counted apart.
    const { rows } = await db.query<{ late_ms: number; timer_running: boolean }>(`
      SELECT EXTRACT(EPOCH FROM (b.created_at - (b.metadata->>'due_at')::timestamptz)) * 1000 AS late_ms,
             m.created_at < (b.metadata->>'due_at')::timestamptz - interval '1 second' AS timer_running
      FROM incidence_timeline b
      JOIN incidence_timeline m ON m.incidence_id = b.incidence_id AND m.event_type = 'MESSAGE'
      WHERE b.event_type = 'SLA_BREACHED'`);
    const late = rows.filter((r) => r.timer_running).map((r) => Number(r.late_ms));
    const timerLate = await timerLateness(temporal, db, 20);
    printCounts({
      conversations,
      'started in (s)': startSeconds.toFixed(1),
      'first-response timers started': active,
      'breaches recorded': breached,
      'of which the timer ran before due (measured)': late.length,
      'due after (s)': dueAfterSeconds,
      'breach recorded after due, p50 (ms)': percentile(late, 50).toFixed(0),
      'p90 (ms)': percentile(late, 90).toFixed(0),
      'p99 (ms)': percentile(late, 99).toFixed(0),
      'max (ms)': Math.max(...late).toFixed(0),
      'p99 <= 1000 ms': percentile(late, 99) <= 1000,
      'timer fired after due, p50 of 20 sampled (ms)': percentile(timerLate, 50).toFixed(0),
      'load average (1 min) at the end': loadavg()[0]!.toFixed(1),
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

/** How late Temporal fired the first-response timer (history event time minus due time), for a sample of conversations. */
async function timerLateness(temporal: TemporalClient, db: Client, sample: number): Promise<number[]> {
  const { rows } = await db.query<{ conversation_id: string; due_ms: string }>(
    `SELECT i.conversation_id, (EXTRACT(EPOCH FROM t.due_at) * 1000)::bigint AS due_ms
     FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id ORDER BY random() LIMIT $1`,
    [sample],
  );
  const late: number[] = [];
  for (const row of rows) {
    const history = await temporal.workflow.getHandle(conversationWorkflowId(row.conversation_id)).fetchHistory();
    const fired = history.events?.find((e) => e.timerFiredEventAttributes && e.eventTime);
    if (fired)
      late.push(
        Number(fired.eventTime!.seconds) * 1000 + Math.floor((fired.eventTime!.nanos ?? 0) / 1e6) - Number(row.due_ms),
      );
  }
  return late;
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
