import { readFileSync } from 'node:fs';
import { sql } from 'slonik';
import type { ConversationEvent } from '../../domain/conversation/conversation-event';
import type { IncidenceContext } from '../../domain/conversation/incidence';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { slaPolicyFile } from '../../domain/sla/sla-policy';
import { createDatabasePool } from '../../infra/db';
import { storeEvent, type SlaRules } from '../../stores/conversation-record';
import { createWithFirstEvent, freshRecord, readRecord, storeEventGuarded } from '../../stores/guarded-event-write';
import { createIncidence, upsertIncidence } from '../../stores/incidence-store';
import { recordOrder } from '../../stores/order-store';
import { at, events } from '../support/conversation-fakes';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

const RULES: SlaRules = {
  policies: slaPolicyFile.parse(JSON.parse(readFileSync('config/sla-policies.json', 'utf8'))),
  hours: ALWAYS_OPEN,
  outbound: true,
};
const WINDOW_MS = 3_600_000;
const CONTEXT: IncidenceContext = {
  userId: 'usr_guarded',
  freshchatUserId: null,
  orderId: null,
  appScreen: 'checkout',
  cartValue: 185_000,
  guestCount: 350,
  eventType: 'WEDDING',
  frictionScore: 40,
  trigger: 'USER_INITIATED',
};
const now = () => at(60);

const agent = (e: ConversationEvent): ConversationEvent => ({ ...e, actor: 'AGENT' }) as ConversationEvent;
const assignment = (id: string, key: string, when: string): ConversationEvent => ({
  ...events.message(id, key, when),
  kind: 'assignment',
  actor: 'SYSTEM',
  agentId: 'agent_7',
  groupId: 'weddings',
  fromAgentId: null,
});
/** A conversation's open events: a question, its assignment, the answer, a follow-up question, answered late. */
const conversation = (id: string): ConversationEvent[] => [
  events.message(id, 'm1', at(0)),
  assignment(id, 'a1', at(1)),
  agent(events.message(id, 'm2', at(2))),
  events.message(id, 'm3', at(4)),
  agent(events.message(id, 'm4', at(30))),
];

/** Everything stored of a conversation's record, without its ids and write times. */
async function recordOf(conversationId: string) {
  const incidence = await database.pool.one(sql.unsafe`
    SELECT to_jsonb(i) - 'id' - 'conversation_id' - 'updated_at' AS row FROM incidences i
    WHERE conversation_id = ${conversationId}`);
  const id = sql.fragment`(SELECT id FROM incidences WHERE conversation_id = ${conversationId})`;
  const rows = (table: string, order: string) =>
    database.pool.any(sql.unsafe`
      SELECT to_jsonb(t) - 'id' - 'incidence_id' - 'created_at' - 'recorded_at' - 'linked_at' AS row
      FROM ${sql.identifier([table])} t WHERE incidence_id = ${id} ORDER BY ${sql.identifier([order])}`);
  return {
    incidence: (incidence as { row: unknown }).row,
    timeline: await rows('incidence_timeline', 'event_key'),
    targets: await rows('sla_targets', 'started_at'),
    responses: await rows('response_times', 'answered_at'),
    cycles: await rows('care_cycles', 'care_cycle'),
  };
}

test('an open event stored with one guarded statement leaves the record the locked step leaves', async () => {
  const [guardedId, lockedId] = [`guarded-${Date.now()}`, `locked-${Date.now()}`];
  const first = conversation(guardedId)[0]!;
  const created = (await createIncidence(database.pool, guardedId, CONTEXT, first.occurredAt))!;
  expect(created).not.toBeNull();
  let read = freshRecord(created);
  const deliveries: unknown[] = [];
  for (const event of conversation(guardedId)) {
    const step = await storeEventGuarded(
      database.pool,
      { conversationId: guardedId, event, linkAssists: event.eventKey === 'm1' },
      read,
      RULES,
      WINDOW_MS,
      now,
    );
    // Every one of these events is taken by the guarded write, none by the locked step.
    expect(step).not.toBeNull();
    deliveries.push(...step!.sla!.deliveries.map((d) => d.job));
    read = await readRecord(database.pool, created.snapshot.incidenceId, 'next');
  }

  const lockedIncidence = await upsertIncidence(database.pool, lockedId, CONTEXT, first.occurredAt);
  const lockedDeliveries: unknown[] = [];
  for (const event of conversation(lockedId)) {
    const input = { conversationId: lockedId, incidenceId: lockedIncidence.incidenceId, event, linkAssists: false };
    const step = await storeEvent(
      database.pool,
      { ...input, linkAssists: event.eventKey === 'm1' },
      RULES,
      WINDOW_MS,
      now,
    );
    lockedDeliveries.push(...step.sla!.deliveries.map((d) => d.job));
  }

  const [guarded, locked] = [await recordOf(guardedId), await recordOf(lockedId)];
  expect(guarded.responses.length).toBeGreaterThan(0);
  expect(guarded.targets.length).toBeGreaterThan(0);
  expect(guarded).toEqual(locked);
  const withoutIds = (jobs: unknown[]) => JSON.parse(JSON.stringify(jobs).replaceAll(/(guarded|locked)-\d+/g, 'c'));
  expect(withoutIds(deliveries).length).toBe(withoutIds(lockedDeliveries).length);
});

test('an incidence created with its first event in one statement is the record creating it, then storing it, leaves', async () => {
  const stamp = Date.now();
  const [oneId, twoId] = [`one-${stamp}`, `two-${stamp}`];
  const [oneContext, twoContext] = [`usr_one_${stamp}`, `usr_two_${stamp}`].map((userId): IncidenceContext => ({
    ...CONTEXT,
    userId,
    orderId: `named-${userId}`,
  }));
  // Orders reported before the incidence reached us: one it names, one of its user placed while it is open.
  for (const context of [oneContext!, twoContext!]) {
    const order = { event: 'PLACED' as const, user_id: context.userId!, value: 1000 };
    await recordOrder(database.pool, { ...order, order_id: context.orderId!, placed_at: at(0) }, WINDOW_MS);
    await recordOrder(database.pool, { ...order, order_id: `later-${context.userId}`, placed_at: at(3) }, WINDOW_MS);
  }
  const [first, ...rest] = conversation(oneId);
  const step = await createWithFirstEvent(
    database.pool,
    { conversationId: oneId, event: first!, context: oneContext! },
    RULES,
    WINDOW_MS,
    now,
  );
  expect(step).not.toBeNull();
  expect(step!.stored).toBe(true);

  const [twoFirst, ...twoRest] = conversation(twoId);
  const created = (await createIncidence(database.pool, twoId, twoContext!, twoFirst!.occurredAt))!;
  const twoStep = await storeEventGuarded(
    database.pool,
    { conversationId: twoId, event: twoFirst!, linkAssists: true },
    freshRecord(created),
    RULES,
    WINDOW_MS,
    now,
  );
  expect(step!.snapshot).toEqual({
    ...twoStep!.snapshot,
    incidenceId: step!.snapshot.incidenceId,
    userId: oneContext!.userId,
  });
  expect(step!.summary).toEqual(twoStep!.summary);
  expect(step!.sla!.deliveries.length).toBe(twoStep!.sla!.deliveries.length);
  // The later events find the same record either way.
  for (const [id, later, incidenceId] of [
    [oneId, rest, step!.snapshot.incidenceId],
    [twoId, twoRest, created.snapshot.incidenceId],
  ] as const) {
    for (const event of later) {
      const read = await readRecord(database.pool, incidenceId, event.eventKey);
      const input = { conversationId: id, event, linkAssists: false };
      expect(await storeEventGuarded(database.pool, input, read, RULES, WINDOW_MS, now)).not.toBeNull();
    }
  }
  const assists = (userId: string) =>
    database.pool.anyFirst(sql.unsafe`
      SELECT replace(a.order_id, ${userId}, 'u') || ' ' || a.reason FROM order_assists a
      JOIN incidences i ON i.id = a.incidence_id WHERE i.user_id = ${userId} ORDER BY 1`);
  expect(await assists(oneContext!.userId!)).toEqual(['later-u OPEN_INCIDENCE', 'named-u NAMED_ORDER']);
  expect(await assists(oneContext!.userId!)).toEqual(await assists(twoContext!.userId!));
  const [one, two] = [await recordOf(oneId), await recordOf(twoId)];
  const sameUser = (record: unknown, userId: string) => JSON.parse(JSON.stringify(record).replaceAll(userId, 'u'));
  expect(one.targets.length).toBeGreaterThan(0);
  expect(one.responses.length).toBeGreaterThan(0);
  expect(sameUser(one, oneContext!.userId!)).toEqual(sameUser(two, twoContext!.userId!));
});

test('a conversation with an incidence, or a first event that closes it, is not created with its event', async () => {
  const id = `not-first-${Date.now()}`;
  const resolution = events.resolution(id, 'r1', at(0), ['converted']);
  const closing = { conversationId: id, event: resolution, context: CONTEXT };
  expect(await createWithFirstEvent(database.pool, closing, RULES, WINDOW_MS, now)).toBeNull();
  expect(await database.pool.exists(sql.unsafe`SELECT 1 FROM incidences WHERE conversation_id = ${id}`)).toBe(false);

  await upsertIncidence(database.pool, id, CONTEXT, at(0));
  const message = { conversationId: id, event: events.message(id, 'm1', at(1)), context: CONTEXT };
  expect(await createWithFirstEvent(database.pool, message, RULES, WINDOW_MS, now)).toBeNull();
  const record = await recordOf(id);
  expect(record.timeline).toEqual([]);
  expect(record.targets).toEqual([]);
});

test('a record changed since it was read is not written: the step takes the event under the row lock', async () => {
  const id = `changed-${Date.now()}`;
  const created = (await createIncidence(database.pool, id, CONTEXT, at(0)))!;
  const read = freshRecord(created);
  // Another writer (a follow-up naming the user, a repair) changes the incidence after the read.
  await database.pool.query(
    sql.unsafe`UPDATE incidences SET updated_at = NOW() WHERE id = ${created.snapshot.incidenceId}`,
  );
  const event = events.message(id, 'm1', at(0));
  const input = { conversationId: id, event, linkAssists: true };
  expect(await storeEventGuarded(database.pool, input, read, RULES, WINDOW_MS, now)).toBeNull();
  expect((await recordOf(id)).timeline).toEqual([]);
  expect((await recordOf(id)).targets).toEqual([]);

  const fresh = await readRecord(database.pool, created.snapshot.incidenceId, event.eventKey);
  expect(await storeEventGuarded(database.pool, input, fresh, RULES, WINDOW_MS, now)).not.toBeNull();
  expect((await recordOf(id)).timeline).toHaveLength(1);
});

test('an event stored before, and a close or reopen, are left to the locked step', async () => {
  const id = `left-${Date.now()}`;
  const created = (await createIncidence(database.pool, id, CONTEXT, at(0)))!;
  const message = events.message(id, 'm1', at(0));
  await storeEventGuarded(
    database.pool,
    { conversationId: id, event: message, linkAssists: false },
    freshRecord(created),
    RULES,
    WINDOW_MS,
    now,
  );
  const incidenceId = created.snapshot.incidenceId;
  const stored = await readRecord(database.pool, incidenceId, message.eventKey);
  expect(stored.stored).toBe(true);
  expect(
    await storeEventGuarded(
      database.pool,
      { conversationId: id, event: message, linkAssists: false },
      stored,
      RULES,
      WINDOW_MS,
      now,
    ),
  ).toBeNull();

  const resolution = events.resolution(id, 'r1', at(5), ['converted']);
  const beforeClose = await readRecord(database.pool, incidenceId, resolution.eventKey);
  expect(
    await storeEventGuarded(
      database.pool,
      { conversationId: id, event: resolution, linkAssists: false },
      beforeClose,
      RULES,
      WINDOW_MS,
      now,
    ),
  ).toBeNull();
  expect((await recordOf(id)).timeline).toHaveLength(1);
});

test('an incidence that exists already is not created again', async () => {
  const id = `exists-${Date.now()}`;
  await upsertIncidence(database.pool, id, CONTEXT, at(0));
  expect(await createIncidence(database.pool, id, CONTEXT, at(0))).toBeNull();
});

test('the hot statements are prepared once per connection and then sent only their values', async () => {
  const single = await createDatabasePool(database.url, 1);
  try {
    for (const n of [1, 2, 3]) {
      const id = `prepared-${n}-${Date.now()}`;
      const created = (await createIncidence(single, id, CONTEXT, at(0)))!;
      const event = events.message(id, 'm1', at(0));
      const step = await storeEventGuarded(
        single,
        { conversationId: id, event, linkAssists: true },
        freshRecord(created),
        RULES,
        WINDOW_MS,
        now,
      );
      expect(step).not.toBeNull();
    }
    const statements = await single.anyFirst(sql.unsafe`
      SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY statement`);
    // One new incidence and one guarded write, each parsed once for the three conversations.
    expect(statements.filter((s) => String(s).includes('INSERT INTO incidences'))).toHaveLength(1);
    expect(statements.filter((s) => String(s).includes('WITH guard AS'))).toHaveLength(1);
  } finally {
    await single.end();
  }
});
