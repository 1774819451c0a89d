/**
 * The per-incidence export over HTTP: one row per incidence started in the range (India-time days), every column
 * in CSV (header, quoting, defused formulas) and NDJSON (one JSON object a line), and clear 4xx for bad requests.
 */
import { sql } from 'slonik';
import { EXPORT_COLUMNS } from '../../stores/incidence-export';
import { adminGet } from '../support/analytics';
import { insertResponse, insertSlaTarget, insertSupportIncidence } from '../support/support-rows';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let busy: string;

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  const pool = system.pool;
  // 1 Mar 2026 00:10 IST (2026-02-28T18:40Z) is inside a range starting 1 Mar; 23:50 IST on 28 Feb is not.
  busy = await insertSupportIncidence(pool, {
    conversation_id: 'conv-busy',
    user_id: 'u1',
    created_at: '2026-02-28T18:40:00Z',
    resolved_at: '2026-02-28T19:40:00Z',
    outcome: 'CONVERTED',
    cart_value: 30000.5,
    event_type: 'WEDDING',
    agent_id: 'agent-1',
    issue_category: '=HYPERLINK("http://x")',
    root_cause: 'said "hurry", then\nleft',
    first_response_at: '2026-02-28T18:42:00Z',
  });
  await insertResponse(pool, {
    incidence_id: busy,
    kind: 'FIRST',
    waiting_since: '2026-02-28T18:40:00Z',
    answered_at: '2026-02-28T18:42:00Z',
  });
  await insertResponse(pool, {
    incidence_id: busy,
    kind: 'NEXT',
    waiting_since: '2026-02-28T18:50:00Z',
    answered_at: '2026-02-28T18:51:00Z',
    business_seconds: 30,
  });
  await insertResponse(pool, {
    incidence_id: busy,
    kind: 'NEXT',
    waiting_since: '2026-02-28T19:00:00Z',
    answered_at: '2026-02-28T19:03:00Z',
    business_seconds: 90,
  });
  const target = { incidence_id: busy, started_at: '2026-02-28T18:40:00Z', due_at: '2026-02-28T18:45:00Z' };
  await insertSlaTarget(pool, { ...target, status: 'MET', settled_at: '2026-02-28T18:42:00Z' });
  await insertSlaTarget(pool, {
    ...target,
    target: 'RESOLUTION',
    status: 'MISSED',
    settled_at: '2026-02-28T19:10:00Z',
  });
  await pool.query(sql.unsafe`
    INSERT INTO orders (order_id, event, user_id, value, placed_at) VALUES
      ('O1', 'PLACED', 'u1', 45000, '2026-02-28T20:00:00Z'), ('O2', 'PLACED', 'u1', 1000, '2026-02-28T20:00:00Z'),
      ('O2', 'CANCELLED', 'u1', 1000, '2026-02-28T20:00:00Z')`);
  await pool.query(sql.unsafe`
    INSERT INTO order_assists (order_id, incidence_id, reason) VALUES ('O1', ${busy}, 'NAMED_ORDER'), ('O2', ${busy}, 'NAMED_ORDER')`);
  await insertSupportIncidence(pool, {
    conversation_id: 'conv-dropped',
    created_at: '2026-03-02T10:00:00Z',
    resolved_at: '2026-03-02T11:00:00Z',
    outcome: 'DROPPED',
    cart_value: 12000,
  });
  await insertSupportIncidence(pool, { conversation_id: 'conv-before', created_at: '2026-02-28T18:20:00Z' });
  await insertSupportIncidence(pool, { conversation_id: 'conv-after', created_at: '2026-03-02T18:30:00Z' });
});
afterAll(async () => {
  await system?.stop();
});

const get = (path: string, token?: string | null) => adminGet(system.baseUrl, path, token);

test('NDJSON: one object a line with every column, only incidences started in the range', async () => {
  const res = await get('/api/v1/analytics/incidences.ndjson?from=2026-03-01&to=2026-03-02');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
  const lines = (await res.text()).trimEnd().split('\n');
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rows.map((r) => r.conversation_id)).toEqual(['conv-busy', 'conv-dropped']);
  expect(Object.keys(rows[0]!)).toEqual(EXPORT_COLUMNS.map((c) => c.name));
  expect(rows[0]).toMatchObject({
    incidence_id: busy,
    cart_value: 30000.5,
    cart_value_tier: '₹25,000–1,00,000',
    issue_category: '=HYPERLINK("http://x")', // JSON is data, not a spreadsheet: kept as is
    root_cause: 'said "hurry", then\nleft',
    first_response_seconds: 120,
    first_response_bucket: '2–5 min',
    responses: 3,
    next_responses: 2,
    next_response_mean_seconds: 120,
    next_response_mean_business_seconds: 60,
    next_response_max_seconds: 180,
    sla_targets_met: 1,
    sla_targets_missed: 1,
    sla_targets_active: 0,
    assisted_orders: 1, // O2 was cancelled
    assisted_order_value: 45000,
    cart_value_lost: null,
  });
  expect(rows[1]).toMatchObject({
    outcome: 'DROPPED',
    cart_value_lost: 12000,
    first_response_bucket: 'no human response',
  });
});

test('CSV: header, quoting, and spreadsheet formulas defused', async () => {
  const res = await get('/api/v1/analytics/incidences.csv?from=2026-03-01&to=2026-03-02');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toContain('incidences-2026-03-01-2026-03-02.csv');
  const text = await res.text();
  expect(text.split('\n')[0]).toBe(EXPORT_COLUMNS.map((c) => c.name).join(','));
  expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
  expect(text).toContain('"said ""hurry"", then\nleft"');
  expect(text).toContain('conv-dropped');
  expect(text).not.toContain('conv-before');
  expect(text).not.toContain('conv-after');
});

test('bad requests are 4xx naming the problem', async () => {
  const bad = async (path: string, status: number, code: string) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: code });
  };
  await bad('/api/v1/analytics/incidences.xlsx?from=2026-03-01&to=2026-03-02', 400, 'invalid_format');
  await bad('/api/v1/analytics/incidences.csv?from=2026-03-01', 400, 'invalid_date');
  await bad('/api/v1/analytics/incidences.csv?from=2026-03-02&to=2026-03-01', 400, 'invalid_range');
  await bad('/api/v1/analytics/incidences.csv?from=2026-02-30&to=2026-03-01', 400, 'invalid_date');
  expect((await get('/api/v1/analytics/incidences.csv?from=2026-03-01&to=2026-03-02', null)).status).toBe(401);
});
