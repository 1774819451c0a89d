import { sql, type DatabasePool } from 'slonik';
import type { ConversationEvent } from '../../domain/conversation/conversation-event';
import { createDatabasePool } from '../../infra/db';
import { pendingDeadLetters, recordDeadLetter } from '../../stores/dead-letter-store';
import { replayDeadLetters } from '../../gateways/replay-dead-letters';
import { events } from '../support/conversation-fakes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';

let db: TestDatabase;
let pool: DatabasePool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = await createDatabasePool(db.url);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

let n = 0;
async function letter(): Promise<ConversationEvent> {
  const event = events.message(`replay-${++n}`, `message:replay-${n}`, new Date().toISOString());
  await recordDeadLetter(pool, {
    conversationId: event.conversationId,
    eventKey: event.eventKey,
    event: JSON.stringify(event),
    step: 'applyIncidenceChange',
    error: 'PostgreSQL refused the data (22008)',
    sqlstate: '22008',
  });
  return event;
}
const pendingKeys = async (conversationId: string) =>
  (await pendingDeadLetters(pool, conversationId)).map((l) => l.eventKey);

test('a replay that dies during the hand-off leaves the letter listed', async () => {
  const event = await letter();
  const handedOver: string[] = [];
  // The process dies while handing the event over: the hand-off never returns, nothing after it runs.
  void replayDeadLetters(
    {
      pool,
      deliver: async (e) => {
        handedOver.push(e.eventKey);
        await new Promise(() => undefined);
      },
    },
    { conversationId: event.conversationId },
  );
  await eventually(async () => expect(handedOver).toEqual([event.eventKey]));
  expect(await pendingKeys(event.conversationId)).toEqual([event.eventKey]);
});

test('a failed hand-off leaves the letter listed; a delivered one is no longer listed', async () => {
  const event = await letter();
  const failing = await replayDeadLetters(
    { pool, deliver: async () => Promise.reject(new Error('Temporal unavailable')) },
    { conversationId: event.conversationId },
  );
  expect(failing.failed.map((f) => f.error)).toEqual(['Temporal unavailable']);
  expect(await pendingKeys(event.conversationId)).toEqual([event.eventKey]);

  const delivered = await replayDeadLetters(
    { pool, deliver: async () => undefined },
    { conversationId: event.conversationId },
  );
  expect(delivered.replayed.map((l) => l.eventKey)).toEqual([event.eventKey]);
  expect(await pendingKeys(event.conversationId)).toEqual([]);
});

test('a letter refused again while it is handed over stays listed, its failures counted', async () => {
  const event = await letter();
  const result = await replayDeadLetters(
    {
      pool,
      // The conversation refuses it again before the hand-off returns (a fast worker).
      deliver: async (e) =>
        recordDeadLetter(pool, {
          conversationId: e.conversationId,
          eventKey: e.eventKey,
          event: JSON.stringify(e),
          step: 'applyIncidenceChange',
          error: 'refused again',
          sqlstate: '22008',
        }),
    },
    { conversationId: event.conversationId },
  );
  expect(result.replayed).toHaveLength(1);
  const [pending] = await pendingDeadLetters(pool, event.conversationId);
  expect(pending).toMatchObject({ eventKey: event.eventKey, failures: 2, error: 'refused again' });
  expect(
    await pool.oneFirst(
      sql.unsafe`SELECT count(*)::int FROM dead_letters WHERE conversation_id = ${event.conversationId}`,
    ),
  ).toBe(1);
});
