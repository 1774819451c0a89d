import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client as PgClient } from 'pg';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { normaliseWebhook } from '../domain/conversation/freshchat-payload';
import { ROOT } from './scratch';
import { percentile, type BenchRow } from './table';

/** Load the webhook benchmark offers: signed Freshchat webhooks for new conversations, and where their rows land. */
const template = readFileSync(
  path.join(ROOT, 'test', 'fixtures', 'freshchat', 'simplified-message_create.json'),
  'utf8',
);
const TEMPLATE_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';

/**
 * With `--policies mix`, the conversations' carts take the product's SLA policies (config/sla-policies.json) in turn:
 * a high-value wedding (calendar hours), a high-value corporate event and a small birthday (both business hours).
 */
const POLICY_MIX = [
  { cart_value: 185000, event_type: 'WEDDING' },
  { cart_value: 40000, event_type: 'CORPORATE' },
  { cart_value: 12000, event_type: 'BIRTHDAY' },
];
let mixed = false;
export const mixPolicies = (on: boolean): void => void (mixed = on);

/** A user's message opening (or, with another text, continuing) conversation `conversationId`. */
export function bodyFor(conversationId: string, text?: string): string {
  const payload = JSON.parse(template.split(TEMPLATE_ID).join(conversationId)) as {
    data: { message: { text: string }; user: { properties: Record<string, unknown> } };
  };
  if (text) payload.data.message.text = text;
  if (mixed) {
    const turn = Number(/(\d+)$/.exec(conversationId)?.[1] ?? 0) % POLICY_MIX.length;
    Object.assign(payload.data.user.properties, POLICY_MIX[turn]);
  }
  return JSON.stringify(payload);
}

export function eventFor(conversationId: string, text?: string): ConversationEvent {
  const raw = Buffer.from(bodyFor(conversationId, text));
  const normalised = normaliseWebhook(JSON.parse(raw.toString()), raw, new Date().toISOString());
  if (normalised.status !== 'event') throw new Error('the template must be an event');
  return normalised.event;
}

export const latencyOf = (ms: number[]) => ({
  p50: percentile(ms, 50),
  p95: percentile(ms, 95),
  p99: percentile(ms, 99),
});

/** Runs `call` for each item with `concurrency` calls in flight; latencies of each call. */
export async function inParallel<T>(items: T[], concurrency: number, call: (item: T) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t0 = performance.now();
        await call(item);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, latencies };
}

export interface WebhookLoad {
  baseUrl: string;
  secret: string;
  prefix: string;
  connections: number;
  /** Send exactly this many, as fast as the API answers... */
  amount?: number;
  /** ...or this many per second for `seconds`. */
  rate?: number;
  seconds?: number;
  /** Counts accepted webhooks as they are answered (for sampling during a timed run). */
  progress?: { accepted: number };
}

/**
 * Signed webhooks through the API with autocannon, each for a new conversation; `sentAt` records each send, and
 * `requests` in the result counts the accepted ones.
 */
export async function webhooksThroughApi(load: WebhookLoad, name: string, sentAt: Map<string, number>) {
  let i = 0;
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.baseUrl,
        connections: load.amount ? Math.min(load.connections, load.amount) : load.connections,
        ...(load.amount ? { amount: load.amount } : { overallRate: load.rate, duration: load.seconds }),
        requests: [
          {
            method: 'POST',
            path: '/webhooks/freshchat',
            setupRequest: (request) => {
              const conversationId = `${load.prefix}-${i++}`;
              const body = bodyFor(conversationId);
              sentAt.set(conversationId, Date.now());
              const signature = createHmac('sha256', load.secret).update(body).digest('hex');
              const headers = { 'content-type': 'application/json', 'x-freshchat-signature': signature };
              return { ...request, body, headers };
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status !== 200) failures++;
      else if (load.progress) load.progress.accepted++;
      latencies.push(responseTime);
    });
  });
  // An overloaded dev server refuses a few now and then (Freshchat would retry them): counted, not fatal.
  if (failures > 0) console.error(`${name}: ${failures} webhooks were not accepted`);
  const requests = latencies.length - failures;
  const row: BenchRow = { name, requests, reqPerSec: requests / (result.duration || 1), ...latencyOf(latencies) };
  return row;
}

/** One webhook at a time, each waiting for its row: the latency without any queue. */
export async function webhooksOneByOne(load: WebhookLoad, n: number, databaseUrl: string, sentAt: Map<string, number>) {
  for (let i = 0; i < n; i++) {
    const conversationId = `${load.prefix}-${i}`;
    const body = bodyFor(conversationId);
    const signature = createHmac('sha256', load.secret).update(body).digest('hex');
    sentAt.set(conversationId, Date.now());
    const response = await fetch(`${load.baseUrl}/webhooks/freshchat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-freshchat-signature': signature },
      body,
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    await rowsWritten(databaseUrl, COUNT_INCIDENCES, conversationId, 1, 2);
  }
}

export const COUNT_INCIDENCES = 'SELECT count(*)::int AS n FROM incidences WHERE conversation_id LIKE $1';
/** The events stored: SLA breach rows come from the conversations' SLA timers (events dated long ago breach at once). */
export const COUNT_TIMELINE = `SELECT count(*)::int AS n FROM incidence_timeline t
  JOIN incidences i ON i.id = t.incidence_id WHERE i.conversation_id LIKE $1 AND t.event_type <> 'SLA_BREACHED'`;
export const COUNT_MINIMAL = 'SELECT count(*)::int AS n FROM bench_minimal_rows WHERE id LIKE $1';

/** Waits until `count` (a query with one LIKE parameter) reaches `n`; false if `waitMs` passed first. */
export async function rowsWritten(
  databaseUrl: string,
  count: string,
  pattern: string,
  n: number,
  pollMs = 100,
  waitMs = 900_000,
): Promise<boolean> {
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      // A named statement is planned once: polled ten times a second, planning would be most of its cost.
      const { rows } = await db.query<{ n: number }>({ name: 'rows-written', text: count, values: [pattern] });
      if (rows[0]!.n >= n) return true;
      if (Date.now() > deadline) {
        if (waitMs < 900_000) return false;
        throw new Error(`only ${rows[0]!.n} of ${n} rows arrived for ${pattern}`);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await db.end();
  }
}

/** How many rows `count` (a query with one LIKE parameter) finds now. */
export async function rowCount(databaseUrl: string, count: string, pattern: string): Promise<number> {
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query<{ n: number }>(count, [pattern])).rows[0]!.n;
  } finally {
    await db.end();
  }
}

/**
 * Webhook sent → the event's row on the incidence's timeline (its transaction's start time), once `accepted` `prefix`
 * conversations have it or `waitMs` has passed (autocannon may set up a request it never sends when a timed run ends,
 * so `sentAt` can hold a few more). The incidence's `updated_at` is not used: SLA steps and breaches update it later.
 * Webhooks whose row is still missing after the wait are counted as `backlog`, each with the time waited so far: the
 * percentiles are then lower bounds.
 */
export async function webhookToRow(
  databaseUrl: string,
  sentAt: Map<string, number>,
  prefix: string,
  name: string,
  accepted = sentAt.size,
  waitMs?: number,
  pollMs = 100,
) {
  const ids = [...sentAt.keys()];
  await rowsWritten(databaseUrl, COUNT_TIMELINE, `${prefix}-%`, accepted, pollMs, waitMs);
  // Webhooks still in flight when a timed run ended were not counted as accepted, yet may be stored: a few seconds more,
  // until the count stops moving.
  for (let n = -1, i = 0; sentAt.size > accepted && i < 10; i++) {
    const now = await rowCount(databaseUrl, COUNT_TIMELINE, `${prefix}-%`);
    if (now === n) break;
    n = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    const now = Date.now();
    const { rows } = await db.query<{ conversation_id: string; written: string }>(
      `SELECT i.conversation_id, (extract(epoch FROM min(t.created_at)) * 1000)::float8 AS written
       FROM incidences i JOIN incidence_timeline t ON t.incidence_id = i.id AND t.event_type <> 'SLA_BREACHED'
       WHERE i.conversation_id = ANY($1) GROUP BY i.conversation_id`,
      [ids],
    );
    const delays = rows.map((r) => Number(r.written) - sentAt.get(r.conversation_id)!);
    const backlog = Math.max(0, accepted - rows.length);
    const written = new Set(rows.map((r) => r.conversation_id));
    const waiting = ids.filter((id) => !written.has(id)).map((id) => now - sentAt.get(id)!);
    // Extras set up but never sent are the latest: the backlog is taken from the longest waits.
    waiting.sort((a, b) => b - a);
    const row: BenchRow = { name, requests: delays.length, ...latencyOf([...delays, ...waiting.slice(0, backlog)]) };
    return { ...row, backlog };
  } finally {
    await db.end();
  }
}

export interface PacedLoad {
  baseUrl: string;
  secret: string;
  prefix: string;
  /** Connections kept open to the API; a webhook due while all are busy waits for one (and its wait counts). */
  connections: number;
  rate: number;
  seconds: number;
  /** Stops sending (the webhooks in flight are still answered). */
  stop?: AbortSignal;
}

/**
 * Signed webhooks for new conversations at a steady `rate`, one every 1/rate seconds (open loop, as Freshchat sends:
 * a slow API does not slow the arrivals). `sentAt` records each webhook's due time, `accepted` each one answered
 * 200; the result's latencies are from due time to answer.
 */
export async function webhooksAtRate(load: PacedLoad, sentAt: Map<string, number>, accepted: Set<string>) {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const url = new URL('/webhooks/freshchat', load.baseUrl);
  const total = Math.round(load.rate * load.seconds);
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let refused = 0;
  const t0 = Date.now();
  const send = (i: number, due: number) => {
    const conversationId = `${load.prefix}-${i}`;
    const body = bodyFor(conversationId);
    const signature = createHmac('sha256', load.secret).update(body).digest('hex');
    sentAt.set(conversationId, due);
    const done = post(agent, url, body, signature).then((status) => {
      latencies.push(Date.now() - due);
      if (status === 200) accepted.add(conversationId);
      else refused++;
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  let next = 0;
  while (next < total && !load.stop?.aborted) {
    const now = Date.now();
    for (; next < total && t0 + (next * 1000) / load.rate <= now; next++) send(next, t0 + (next * 1000) / load.rate);
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (Date.now() - t0) / 1000;
  await Promise.all(inFlight);
  agent.destroy();
  return { sent: next, accepted: accepted.size, refused, seconds, ...latencyOf(latencies) };
}

function post(agent: Agent, url: URL, body: string, signature: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-freshchat-signature': signature,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
