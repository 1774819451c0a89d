import { createConversationActivities, type ConversationActivityDeps } from '../../activities/conversation-activities';
import { upsertIncidence } from '../../stores/incidence-store';
import { events } from '../support/conversation-fakes';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

const TEXT = 'Call me on +91 98290 41766 about the wedding thali';
const PHONE = '+919829041766';

test('a dead letter the database refuses too is logged with its ids, never its text or phone', async () => {
  const lines: string[] = [];
  const log = (fields: object, msg: string) => void lines.push(JSON.stringify({ ...fields, msg }));
  const logger = { error: log, warn: log, info: log } as unknown as ConversationActivityDeps['logger'];
  const activities = createConversationActivities({ pool: database.pool, logger } as ConversationActivityDeps);
  const id = `dead-letter-log-${Date.now()}`;
  const incidence = await upsertIncidence(database.pool, id, CONTEXT, new Date().toISOString());
  // A NUL in the event key: the timeline refuses it, and so does the dead-letter table.
  const refused = {
    ...events.message(id, 'message:\u0000refused', new Date().toISOString()),
    text: TEXT,
    userProperties: { user_id: 'usr_1', phone: PHONE },
  };
  const step = await activities.conversationStep({
    conversationId: id,
    known: { incidenceId: incidence.incidenceId, userId: 'usr_1' },
    events: [refused],
    slaTimers: false,
  });
  expect(step.outcomes).toEqual(['refused']);
  expect(lines.some((l) => l.includes('dead letter refused too') && l.includes('refused'))).toBe(true);
  for (const line of lines) {
    expect(line).not.toContain('98290');
    expect(line).not.toContain(PHONE);
    expect(line).not.toContain('wedding thali');
  }
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
