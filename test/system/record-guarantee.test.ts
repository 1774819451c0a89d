import { sql } from 'slonik';
import { z } from 'zod';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { SEARCH_ATTRIBUTES } from '../../domain/conversation/search-attributes';
import { createTemporalClient } from '../../infra/temporal';
import { replayDeadLetters } from '../../gateways/replay-dead-letters';
import { stateQuery } from '../../workflows/signals';
import { ActivityFaults } from '../../bench/chaos/activity-faults';
import { incidenceOf, retarget, timelineOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { fixtureText, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

// Each fault below once corrupted the record or stalled a conversation without any error showing.
const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const WHITEFIELD_ID = '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82';

const faults = new ActivityFaults();
/** Event keys whose change commits but whose result never reaches the workflow (once each). */
const loseResultOf = new Set<string>();
/** Event keys whose change reaches PostgreSQL with a value it refuses, as a value past validation would. */
const poisonDateOf = new Set<string>();
const stepKeys = (args: unknown[]) =>
  ((args[0] as { events?: Array<{ eventKey: string }> }).events ?? []).map((e) => e.eventKey);
// A lost result loses the whole step's; a refused value rides in one event only (a NUL in its text, which PostgreSQL
// refuses and a replay through today's boundary strips).
faults.add(({ type, args }) => {
  if (type !== 'conversationStep') return undefined;
  const keys = stepKeys(args);
  if (keys.some((key) => loseResultOf.delete(key))) return { kind: 'lose-result' };
  const poisoned = keys.find((key) => poisonDateOf.delete(key));
  if (!poisoned) return undefined;
  return {
    kind: 'alter-input',
    alter: ([input]) => {
      const step = input as { events: Array<{ eventKey: string; text?: string }> };
      for (const event of step.events) if (event.eventKey === poisoned) event.text = 'thali\u0000';
      return [step];
    },
  };
});

faults.add(({ type, args }) => {
  const key = (args[0] as { eventKey?: string })?.eventKey;
  return type === 'applyResolutionTags' && key && loseResultOf.delete(`tags:${key}`)
    ? { kind: 'lose-result' }
    : undefined;
});

const freshchat = new FakeFreshchat();
let system: TestSystem;
beforeAll(async () => {
  await freshchat.start();
  system = await startTestSystem(
    {
      CONVERSATION_SILENCE_TIMEOUT: '4s',
      CONVERSATION_REOPEN_WINDOW: '3s',
      FRESHCHAT_API_URL: freshchat.url,
      FRESHCHAT_API_TOKEN: 'test-token',
      FRESHCHAT_TAG_PROPERTIES: 'cf_tags',
    },
    { interceptors: faults.interceptors() },
  );
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});

const postOk = async (body: string) => expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
/** A simplified-format body for a conversation, with an event id (and time) so its timeline key is known. */
const spec = (file: string, id: string, extra: Record<string, unknown> = {}, edit?: (doc: any) => void) => {
  const doc = { ...JSON.parse(retarget(fixtureText(file), { [WEDDING_ID]: id, [WHITEFIELD_ID]: id })), ...extra };
  edit?.(doc);
  return JSON.stringify(doc);
};
const real = (file: string, id: string, edit?: (doc: any) => void) => {
  const doc = JSON.parse(retarget(fixtureText(file), { [WHITEFIELD_ID]: id }));
  edit?.(doc);
  return JSON.stringify(doc);
};
const row = (id: string) => incidenceOf(system.pool, id);
const settled = (id: string, expected: Record<string, unknown>, timeoutMs = 20_000) =>
  eventually(async () => {
    const r = await row(id);
    expect(r).toMatchObject(expected);
    return r!;
  }, timeoutMs);
const handle = (id: string) => system.client.workflow.getHandle(conversationWorkflowId(id));

describe('a change whose result is lost', () => {
  test('a lost resolution is seen on retry: no silence close overwrites it, the run ends CONVERTED', async () => {
    const id = uniqueConversationId();
    await postOk(spec('simplified-message_create.json', id));
    loseResultOf.add(`conversation_resolution:event:r-${id}`);
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r-${id}` }));
    // The run takes the stored resolution for its state as soon as it has taken the event (its retry found it
    // stored), not only once a silence close finds the incidence changed.
    const taken = await eventually(async () => {
      const s = await handle(id).query(stateQuery);
      expect(s.eventsApplied + s.duplicatesSkipped).toBe(2);
      return s;
    });
    expect(taken.outcome).toBe('CONVERTED');
    const state = await handle(id).result();
    expect(state.outcome).toBe('CONVERTED');
    const r = await row(id);
    expect(r).toMatchObject({ outcome: 'CONVERTED', order_impact: 'PLACED', resolution_type: null });
    expect(r!.time_to_resolve_seconds).not.toBeNull();
    expect((await timelineOf(system.pool, id)).map((t) => t.event_type)).not.toContain('WENT_SILENT');
    expect(loseResultOf.size).toBe(0);
  }, 40_000);

  test('a lost reopen is seen on retry: the conversation is open again and later closed for silence', async () => {
    const id = uniqueConversationId();
    await postOk(spec('simplified-message_create.json', id));
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r-${id}` }));
    await settled(id, { outcome: 'CONVERTED' });
    const reopen = `conversation_reopen:event:o-${id}`;
    loseResultOf.add(reopen);
    await postOk(spec('simplified-conversation_reopen.json', id, { event_id: `o-${id}` }));
    // The run takes the stored reopen for its state as soon as it has taken the event (its retry found it stored),
    // before its silence window (4 s) can close it.
    const taken = await eventually(async () => {
      const s = await handle(id).query(stateQuery);
      expect(s.eventsApplied + s.duplicatesSkipped).toBe(3);
      return s;
    });
    expect(loseResultOf.has(reopen)).toBe(false); // the reopen's result was lost
    expect(taken).toMatchObject({ outcome: 'IN_PROGRESS', reopenCount: 1 });
    // Before, the run believed the conversation closed and ended with the incidence IN_PROGRESS for good.
    await settled(id, { outcome: 'DROPPED', resolution_type: 'WENT_SILENT', reopen_count: 1 }, 30_000);
  }, 45_000);

  test('a real resolution that arrives after a silence close, dated before it, replaces it', async () => {
    const id = uniqueConversationId();
    const start = new Date().toISOString();
    await postOk(spec('simplified-message_create.json', id, { event_id: `m-${id}`, event_time: start }));
    await settled(id, { outcome: 'DROPPED', resolution_type: 'WENT_SILENT' });
    const resolvedAt = new Date(Date.parse(start) + 1000).toISOString();
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r-${id}`, event_time: resolvedAt }));
    const r = await settled(id, { outcome: 'CONVERTED', resolution_type: null, time_to_resolve_seconds: 1 });
    expect(Date.parse(r.resolved_at!)).toBe(Date.parse(resolvedAt));
  }, 40_000);
});

describe('values PostgreSQL refuses', () => {
  test('U+0000 in a message and context values too large for their columns: the conversation moves on', async () => {
    const id = uniqueConversationId();
    const properties = {
      user_id: `usr_${id.slice(0, 8)}`,
      current_screen: 'x'.repeat(101),
      cart_value: 1e10,
      guest_count: 2 ** 31,
      friction_score: 1000,
      event_type: 'E'.repeat(51),
      order_id: null,
    };
    await postOk(
      spec('simplified-message_create.json', id, {}, (d) => {
        d.data.message.text = 'hi\u0000there';
        d.data.user.properties = properties;
      }),
    );
    await postOk(spec('simplified-conversation_resolution.json', id, {}, (d) => (d.data.user.properties = properties)));
    await settled(id, {
      outcome: 'CONVERTED',
      user_id: properties.user_id,
      app_screen: null,
      cart_value: null,
      guest_count: null,
      friction_score: null,
      event_type: null,
    });
    expect((await timelineOf(system.pool, id)).find((t) => t.event_type === 'MESSAGE')?.content).toBe('hithere');
  });

  test('Freshchat user properties the app set too large, a long tag and a long conversation id', async () => {
    const id = `long-${'c'.repeat(240)}-${uniqueConversationId().slice(0, 8)}`;
    const user = `fc-${id.slice(-8)}`;
    freshchat.users.set(user, {
      id: user,
      reference_id: `usr_${id.slice(-8)}`,
      properties: [
        { name: 'cf_event_type', value: 'X'.repeat(60) },
        { name: 'cf_cart_value', value: '99999999999' },
        { name: 'cf_current_screen', value: 'checkout' },
      ],
    });
    freshchat.conversations.set(id, {
      conversation_id: id,
      properties: { cf_tags: `order_placed, ${'t'.repeat(150)}` },
    });
    const setUser = (d: any) => {
      d.data.message.user_id = user;
      d.data.message.actor_id = user;
      d.actor.actor_id = user;
    };
    await postOk(real('real-message_create.json', id, setUser));
    await postOk(real('real-conversation_resolution.json', id));
    await settled(id, {
      outcome: 'CONVERTED',
      user_id: `usr_${id.slice(-8)}`,
      event_type: null,
      cart_value: null,
      app_screen: 'checkout',
      issue_category: 't'.repeat(100),
    });
  });

  test('an event PostgreSQL still refuses is dead-lettered at once; later events apply; replay brings it back', async () => {
    const id = uniqueConversationId();
    poisonDateOf.add(`message_create:event:m-${id}`);
    await postOk(spec('simplified-message_create.json', id, { event_id: `m-${id}` }));
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r-${id}` }));
    await settled(id, { outcome: 'CONVERTED' });
    // The step dead-letters the refused event and stores the others.
    await eventually(async () =>
      expect(
        await system.pool.any(
          sql.type(z.object({ event_key: z.string(), step: z.string(), sqlstate: z.string().nullable() }))`
            SELECT event_key, step, sqlstate FROM dead_letters WHERE conversation_id = ${id} AND replayed_at IS NULL`,
        ),
      ).toEqual([
        {
          event_key: `message_create:event:m-${id}`,
          step: 'storeEvent',
          sqlstate: expect.stringMatching(/^22/),
        },
      ]),
    );
    expect((await timelineOf(system.pool, id)).map((t) => t.event_type)).toEqual(['RESOLVED']);

    const temporal = createTemporalClient(system.settings.temporal);
    try {
      const gateway = createConversationGateway(temporal, system.settings);
      const result = await replayDeadLetters(
        { pool: system.pool, deliver: (e) => gateway.deliver(e) },
        { conversationId: id },
      );
      expect(result.replayed).toHaveLength(1);
    } finally {
      await temporal.connection.close();
    }
    await eventually(async () =>
      expect((await timelineOf(system.pool, id)).map((t) => t.event_type).sort()).toEqual(['MESSAGE', 'RESOLVED']),
    );
    expect(await row(id)).toMatchObject({ outcome: 'CONVERTED' });
  }, 40_000);
});

describe('Freshchat failures', () => {
  test('a failed user lookup leaves the user unknown, and a retrying step fills it in', async () => {
    const id = uniqueConversationId();
    const user = `fc-late-${id.slice(0, 8)}`;
    freshchat.users.set(user, { id: user, reference_id: `usr_late_${id.slice(0, 8)}`, properties: [] });
    let refusals = 2;
    freshchat.route((r) => (r.path === `/users/${user}` && refusals-- > 0 ? { status: 503 } : undefined));
    await postOk(
      real('real-message_create.json', id, (d) => {
        d.data.message.user_id = user;
      }),
    );
    // Never Freshchat's id in the app user's place: it is stored apart, and the app user comes when Freshchat answers.
    const r = await settled(id, { user_id: `usr_late_${id.slice(0, 8)}` }, 30_000);
    expect(r.freshchat_user_id).toBe(user);
  }, 40_000);

  test('a user lookup answered with something that is not JSON is retried until Freshchat answers', async () => {
    const id = uniqueConversationId();
    const user = `fc-garbled-${id.slice(0, 8)}`;
    freshchat.users.set(user, { id: user, reference_id: `usr_garbled_${id.slice(0, 8)}`, properties: [] });
    // The first lookup (creating the incidence) and the retrying one both get a maintenance page served with 200.
    let garbled = 2;
    freshchat.route((r) =>
      r.path === `/users/${user}` && garbled-- > 0 ? { status: 200, raw: '<html>maintenance</html>' } : undefined,
    );
    await postOk(
      real('real-message_create.json', id, (d) => {
        d.data.message.user_id = user;
      }),
    );
    await settled(id, { user_id: `usr_garbled_${id.slice(0, 8)}`, freshchat_user_id: user }, 30_000);
    expect(garbled).toBeLessThan(0);
  }, 40_000);

  test('a resolution is applied at once while Freshchat refuses its tags; later events are not held up', async () => {
    const id = uniqueConversationId();
    let refusing = true;
    let refused = 0;
    freshchat.route((r) =>
      refusing && r.path === `/conversations/${id}` && ++refused
        ? { status: 429, headers: { 'retry-after': '86400' } }
        : undefined,
    );
    freshchat.conversations.set(id, { conversation_id: id, properties: { cf_tags: 'order_placed' } });
    await postOk(real('real-message_create.json', id));
    await postOk(real('real-conversation_resolution.json', id));
    await postOk(
      real('real-message_create.json', id, (d) => {
        d.data.message.id = `after-${id}`;
        d.data.message.created_time = '2026-01-20T04:30:00.000Z';
      }),
    );
    await settled(id, { outcome: 'RESOLVED', resolution_type: 'TAGS_PENDING' });
    await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(3));
    await eventually(async () => expect(refused).toBeGreaterThan(0));
    refusing = false;
    // Retry-After is capped at a minute, so the tags come within about one.
    await settled(id, { outcome: 'CONVERTED', order_impact: 'PLACED', resolution_type: null }, 90_000);
  }, 120_000);

  test('tags stored by a step whose result was lost: the retry reports their outcome to the run', async () => {
    const id = uniqueConversationId();
    freshchat.conversations.set(id, { conversation_id: id, properties: { cf_tags: 'order_placed' } });
    const resolution = real('real-conversation_resolution.json', id);
    loseResultOf.add(`tags:conversation_resolution:${id}:${JSON.parse(resolution).action_time}`);
    await postOk(real('real-message_create.json', id));
    await postOk(resolution);
    await settled(id, { outcome: 'CONVERTED', resolution_type: null });
    expect([...loseResultOf].filter((k) => k.startsWith('tags:'))).toEqual([]);
    // The run knows the outcome the tags gave (its query, its Outcome search attribute): the retry did not read as
    // "the incidence moved on".
    await eventually(async () => expect((await handle(id).query(stateQuery)).outcome).toBe('CONVERTED'));
    await eventually(async () =>
      expect((await handle(id).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.outcome)).toBe('CONVERTED'),
    );
  });

  test('a real-format resolution whose step result was lost still has its tags read on the retry', async () => {
    const id = uniqueConversationId();
    freshchat.conversations.set(id, { conversation_id: id, properties: { cf_tags: 'order_placed' } });
    const resolution = real('real-conversation_resolution.json', id);
    loseResultOf.add(`conversation_resolution:${id}:${JSON.parse(resolution).action_time}`);
    await postOk(real('real-message_create.json', id));
    await postOk(resolution);
    await settled(id, { outcome: 'CONVERTED', resolution_type: null });
    expect(loseResultOf.has(`conversation_resolution:${id}:${JSON.parse(resolution).action_time}`)).toBe(false);
  });

  test('a 200 that is not JSON is not retried as an outage: the resolution stands without tags and says so', async () => {
    const id = uniqueConversationId();
    freshchat.route((r) =>
      r.path === `/conversations/${id}` ? { status: 200, raw: '<html>maintenance</html>' } : undefined,
    );
    const reads = () => freshchat.requests.filter((r) => r.path === `/conversations/${id}`).length;
    await postOk(real('real-message_create.json', id));
    await postOk(real('real-conversation_resolution.json', id));
    // Until the resolution says it has no tags, or a second read comes (an outage's retry would, a second later).
    await eventually(async () => {
      if (reads() < 2) expect(await row(id)).toMatchObject({ resolution_type: 'TAGS_UNAVAILABLE' });
    });
    expect(reads()).toBe(1);
    // The run ends (its reopen window) with nothing left to retry: read once, by neither the client nor the activity
    // again (an outage is retried up to 8 times), and the resolution stands.
    await handle(id).result();
    expect(reads()).toBe(1);
    expect(await row(id)).toMatchObject({ outcome: 'RESOLVED', resolution_type: 'TAGS_UNAVAILABLE' });
  });
});

describe('the simplified format, assignments and long messages', () => {
  test('identical bodies with distinct event ids are distinct events, keyed and timed by them', async () => {
    const id = uniqueConversationId();
    const t = (s: number) => new Date(Date.parse('2026-03-02T10:00:00Z') + s * 1000).toISOString();
    await postOk(spec('simplified-message_create.json', id, { event_id: `m-${id}`, event_time: t(0) }));
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r1-${id}`, event_time: t(60) }));
    await postOk(spec('simplified-conversation_reopen.json', id, { event_id: `o-${id}`, event_time: t(120) }));
    await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r2-${id}`, event_time: t(180) }));
    const r = await settled(id, { outcome: 'CONVERTED', reopen_count: 1, time_to_resolve_seconds: 180 });
    expect(Date.parse(r.resolved_at!)).toBe(Date.parse(t(180)));
    expect((await timelineOf(system.pool, id)).map((e) => e.event_key)).toEqual([
      `message_create:event:m-${id}`,
      `conversation_resolution:event:r1-${id}`,
      `conversation_reopen:event:o-${id}`,
      `conversation_resolution:event:r2-${id}`,
    ]);
  });

  test('events that reach a conversation before its worker does are applied in arrival order, not grouped by kind', async () => {
    const id = uniqueConversationId();
    const t = (s: number) => new Date(Date.parse('2026-03-03T10:00:00Z') + s * 1000).toISOString();
    await system.stopWorker();
    try {
      await postOk(spec('simplified-message_create.json', id, { event_id: `m-${id}`, event_time: t(0) }));
      await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r1-${id}`, event_time: t(60) }));
      await postOk(spec('simplified-conversation_reopen.json', id, { event_id: `o-${id}`, event_time: t(120) }));
      await postOk(spec('simplified-conversation_resolution.json', id, { event_id: `r2-${id}`, event_time: t(180) }));
    } finally {
      await system.startWorker();
    }
    // Grouped by kind, the second resolution came before the reopen, which then only reached the timeline.
    await settled(id, { outcome: 'CONVERTED', reopen_count: 1, time_to_resolve_seconds: 180 });
  });

  test('an assignment back to a group queue clears the agent in the row, the state and the search attribute', async () => {
    const id = uniqueConversationId();
    await postOk(spec('simplified-message_create.json', id));
    await postOk(spec('simplified-conversation_assignment.json', id, { event_id: `a1-${id}` }));
    await settled(id, { agent_id: 'a3f9c2d8-6e1b-4a7c-9d5e-8b2f1c0e4a67' });
    await postOk(
      spec('simplified-conversation_assignment.json', id, { event_id: `a2-${id}` }, (d) => {
        d.data.conversation.assigned_agent_id = null;
        d.data.conversation.assigned_group_id = 'grp-queue';
      }),
    );
    await settled(id, { agent_id: null });
    const group = await system.pool.oneFirst(
      sql.type(
        z.object({ group_id: z.string().nullable() }),
      )`SELECT group_id FROM incidences WHERE conversation_id = ${id}`,
    );
    expect(group).toBe('grp-queue');
    await eventually(async () => expect((await handle(id).query(stateQuery)).agentId).toBeNull());
    const attributes = (await handle(id).describe()).typedSearchAttributes;
    expect(attributes.get(SEARCH_ATTRIBUTES.agentId)).toBeUndefined();
  });

  test('a message over 20,000 characters is kept whole, in one part or several, in either format', async () => {
    const one = uniqueConversationId();
    const several = uniqueConversationId();
    await postOk(
      real('real-message_create.json', one, (d) => {
        d.data.message.message_parts = [{ text: { content: 'a'.repeat(25_000) } }];
      }),
    );
    await postOk(
      real('real-message_create.json', several, (d) => {
        d.data.message.id = `parts-${several}`;
        d.data.message.message_parts = [1, 2, 3].map(() => ({ text: { content: 'b'.repeat(10_000) } }));
      }),
    );
    const simplified = uniqueConversationId();
    await postOk(
      spec('simplified-message_create.json', simplified, {}, (d) => (d.data.message.text = 'c'.repeat(25_000))),
    );
    await eventually(async () => expect((await timelineOf(system.pool, one))[0]?.content).toHaveLength(25_000));
    await eventually(async () => expect((await timelineOf(system.pool, several))[0]?.content).toHaveLength(30_002));
    await eventually(async () => expect((await timelineOf(system.pool, simplified))[0]?.content).toHaveLength(25_000));
  });
});
