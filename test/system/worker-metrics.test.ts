import type { MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'slonik';
import { createConversationActivities, type ConversationActivityDeps } from '../../activities/conversation-activities';
import { upsertIncidence } from '../../stores/incidence-store';
import { events } from '../support/conversation-fakes';
import { countActivityFailures } from '../../infra/worker-metrics';
import { useTestDatabase } from '../support/database';

interface Counted {
  name: string;
  tags: MetricTags;
  value: number;
}

/** A metric meter that keeps every counter addition, with all its tags (the SDK adds the activity's own). */
function recordingMeter(counted: Counted[], tags: MetricTags = {}): MetricMeter {
  const counter = (name: string, bound: MetricTags) => ({
    name,
    add: (value: number, extra: MetricTags = {}) => void counted.push({ name, tags: { ...bound, ...extra }, value }),
    withTags: (more: MetricTags) => counter(name, { ...bound, ...more }),
  });
  const unused = () => {
    throw new Error('only counters are expected');
  };
  return {
    createCounter: (name: string) => counter(name, tags),
    createHistogram: unused,
    createGauge: unused,
    withTags: (more: MetricTags) => recordingMeter(counted, { ...tags, ...more }),
  } as unknown as MetricMeter;
}

const database = useTestDatabase();

const noop = () => undefined;
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const quietLogger = { error: () => undefined } as unknown as ConversationActivityDeps['logger'];

test('a dead-lettered event is counted by the step PostgreSQL refused', async () => {
  const counted: Counted[] = [];
  const activities = createConversationActivities({
    pool: database.pool,
    logger: quietLogger,
  } as ConversationActivityDeps);
  const env = new MockActivityEnvironment(undefined, { metricMeter: recordingMeter(counted) });
  const incidence = await upsertIncidence(database.pool, 'c-dead-letter', CONTEXT, new Date().toISOString());
  // A time PostgreSQL refuses (22008): the event is dead-lettered by the step, the conversation moves on.
  const event = { ...events.message('c-dead-letter', 'k-1', '2026-13-45T00:00:00Z'), userProperties: null };
  const step = { conversationId: 'c-dead-letter', known: { incidenceId: incidence.incidenceId, userId: 'usr_1' } };
  for (let i = 0; i < 2; i++) {
    const result = (await env.run(activities.conversationStep, { ...step, events: [event], slaTimers: false })) as {
      outcomes: string[];
    };
    expect(result.outcomes).toEqual(['refused']);
  }

  expect(counted).toEqual([
    { name: 'slo_dead_letters', tags: expect.objectContaining({ step: 'storeEvent' }), value: 1 },
    { name: 'slo_dead_letters', tags: expect.objectContaining({ step: 'storeEvent' }), value: 1 },
  ]);
  expect(await database.pool.oneFirst(sql.unsafe`SELECT failures FROM dead_letters WHERE event_key = 'k-1'`)).toBe(2);
});

const CONTEXT = {
  userId: 'usr_1',
  freshchatUserId: null,
  orderId: null,
  appScreen: null,
  cartValue: null,
  guestCount: null,
  eventType: null,
  frictionScore: null,
  trigger: 'USER_INITIATED' as const,
};

test('a failed activity attempt is counted by activity, failure type and whether it is retried', async () => {
  const counted: Counted[] = [];
  const env = new MockActivityEnvironment(undefined, {
    metricMeter: recordingMeter(counted),
    interceptors: [countActivityFailures],
    logger: silent,
  });
  const failing = async () => {
    throw Object.assign(new Error('refused'), { type: 'DataRejected', nonRetryable: true });
  };
  await expect(env.run(failing)).rejects.toThrow('refused');

  expect(counted).toEqual([
    {
      name: 'slo_activity_failures',
      tags: expect.objectContaining({ activity: 'unknown', type: 'DataRejected', retryable: 'false' }),
      value: 1,
    },
  ]);
});
