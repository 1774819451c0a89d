import { realMessage, realReopen, realResolution } from '../support/freshchat-events';
import { LIFECYCLE_START, LIFECYCLES } from './lifecycles';
import type { SlaEvent } from './expected-sla';
import type { ExpectedConversation, ChaosPlan } from './plan-shape';

type FreshchatKnows = NonNullable<ChaosPlan['freshchat']>;

/**
 * One conversation's whole life in Freshchat's real format, in order: the worker has to ask Freshchat for the app
 * user (the webhook names only Freshchat's user) and for each resolution's tags (the conversation's `cf_tags`).
 */
export function realLifecycleEvents(
  conversationId: string,
  index: number,
  count: number,
): { bodies: string[]; expected: ExpectedConversation; freshchat: FreshchatKnows } {
  const life = LIFECYCLES[index % LIFECYCLES.length]!;
  const start = Date.parse(LIFECYCLE_START) + index * 1000;
  const at = (n: number) => new Date(start + n * 60_000).toISOString();
  const freshchatUser = `fc-${conversationId}`;
  const appUser = `usr-${conversationId}`;
  const events = [];
  const slaEvents: SlaEvent[] = [];
  for (let m = 0; m < Math.max(1, count - life.steps.length); m++) {
    const actor = m % 2 === 0 ? 'user' : 'agent';
    const text = `message ${m} of ${conversationId}`;
    events.push(
      realMessage({ conversationId, id: `${conversationId}-m${m}`, userId: freshchatUser, at: at(m), text, actor }),
    );
    slaEvents.push({ at: at(m), kind: actor === 'user' ? 'customer_message' : 'agent_reply' });
  }
  let resolvedAt: string | null = null;
  let tags: string[] = [];
  life.steps.forEach((step, k) => {
    const time = at(count + k);
    if (step.action === 'conversation_resolution') {
      events.push(realResolution({ conversationId, at: time }));
      slaEvents.push({ at: time, kind: 'resolved' });
      [resolvedAt, tags] = [time, step.tags];
    } else {
      events.push(realReopen({ conversationId, at: time, userId: freshchatUser }));
      slaEvents.push({ at: time, kind: 'reopened' });
      resolvedAt = null;
    }
  });
  const eventKeys = new Set(
    events.map((e) =>
      e.action === 'message_create' ? `message:${e.data.message.id}` : `${e.action}:${conversationId}:${e.action_time}`,
    ),
  );
  const silent = life.outcome === 'DROPPED';
  const final = {
    resolvedAt: silent ? null : resolvedAt,
    silentAfter: silent ? slaEvents.at(-1)!.at : undefined,
    reopenCount: life.reopens,
    resolutionType: silent ? 'WENT_SILENT' : null,
  };
  // Freshchat holds the conversation's current tags (the last resolution's) and the user's reference_id.
  const properties = { cf_tags: tags.join(',') };
  return {
    bodies: events.map((e) => JSON.stringify(e)),
    expected: { eventKeys, outcome: life.outcome, final, userId: appUser, sla: { events: slaEvents, silent } },
    freshchat: {
      events: events.map((body) => ({ body, properties })),
      users: [{ id: freshchatUser, reference_id: appUser, properties: [{ name: 'cf_event_type', value: 'WEDDING' }] }],
    },
  };
}
