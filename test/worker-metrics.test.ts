import type { MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql, type DatabasePool } from 'slonik';
import { createConversationActivities, type ConversationActivityDeps } from '../activities/conversation-activities';
import { countActivityFailures } from '../infra/worker-metrics';
import { createDatabasePool } from '../infra/db';
import { createTestDatabase, type TestDatabase } from './support/database';

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

let database: TestDatabase;
let pool: DatabasePool;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = await createDatabasePool(database.url, 2);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const noop = () => undefined;
const silent = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const quietLogger = { error: () => undefined } as unknown as ConversationActivityDeps['logger'];

test('a dead-lettered event is counted by the step PostgreSQL refused', async () => {
  const counted: Counted[] = [];
  const activities = createConversationActivities({ pool, logger: quietLogger } as ConversationActivityDeps);
  const env = new MockActivityEnvironment(undefined, { metricMeter: recordingMeter(counted) });
  const event = { kind: 'message', conversationId: 'c-dead-letter', eventKey: 'k-1' } as never;
  await env.run(activities.deadLetter, { event, step: 'applyIncidenceChange', error: 'bad date', sqlstate: '22008' });
  await env.run(activities.deadLetter, { event, step: 'applyIncidenceChange', error: 'bad date', sqlstate: '22008' });

  expect(counted).toEqual([
    { name: 'slo_dead_letters', tags: expect.objectContaining({ step: 'applyIncidenceChange' }), value: 1 },
    { name: 'slo_dead_letters', tags: expect.objectContaining({ step: 'applyIncidenceChange' }), value: 1 },
  ]);
  expect(await pool.oneFirst(sql.unsafe`SELECT failures FROM dead_letters WHERE event_key = 'k-1'`)).toBe(2);
});

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
