import { sql } from 'slonik';
import { z } from 'zod';
import { eventually } from './support/eventually';
import { fixture, postWebhook } from './support/signing';
import { startTestSystem, type TestSystem } from './support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

const incidenceRow = z.object({
  user_id: z.string().nullable(),
  stage: z.string(),
  outcome: z.string(),
  order_impact: z.string().nullable(),
  issue_category: z.string().nullable(),
  cart_value: z.number().nullable(),
  guest_count: z.number().nullable(),
  event_type: z.string().nullable(),
  time_to_resolve_seconds: z.number().nullable(),
  agent_id: z.string().nullable(),
});

const incidence = (conversationId: string) =>
  system.pool.one(sql.type(incidenceRow)`
    SELECT user_id, stage, outcome, order_impact, issue_category, cart_value::float8 AS cart_value, guest_count,
           event_type, time_to_resolve_seconds, agent_id
    FROM incidences WHERE conversation_id = ${conversationId}`);

const timelineCount = (conversationId: string) =>
  system.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int AS n FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
    WHERE i.conversation_id = ${conversationId}`);

test('the spec-format corporate sequence ends as one DROPPED incidence with its timeline', async () => {
  const { events } = fixture('spec-sequence-corporate-dropped.json');
  for (const event of events) {
    const res = await postWebhook(system.baseUrl, JSON.stringify(event));
    expect(res.status).toBe(200);
  }
  const id = events[0].data.conversation.id;
  const row = await eventually(async () => {
    const r = await incidence(id);
    expect(r.outcome).toBe('DROPPED');
    return r;
  });
  expect(row).toMatchObject({ user_id: 'usr_5T9LPA', stage: 'PRE_ORDER', order_impact: 'LOST', issue_category: 'pricing', cart_value: 96000, guest_count: 200, event_type: 'CORPORATE' });
  expect(await timelineCount(id)).toBe(4);
});
