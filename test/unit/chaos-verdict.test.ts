import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import type { SlaPolicy } from '../../domain/sla/sla-policy';
import { expectedSlaStatus, expectedSlaTargets, type SlaEvent } from '../../bench/chaos/expected-sla';
import { chaosPlan } from '../../bench/chaos/plan';
import type { ChaosPlan } from '../../bench/chaos/plan-shape';
import { realChaosPlan } from '../../bench/chaos/real-plan';
import { judge, type TimelineRow } from '../../bench/chaos/verify';

// Each figure of the chaos verdict is shown failing on a fault planted in an otherwise perfect result.

const JUDGED_AT = '2026-12-01T00:00:00.000Z';

/** What PostgreSQL would hold if every event of the plan landed once and every outcome were right. */
function perfect(plan: ChaosPlan) {
  const incidences = [...plan.conversations].map(([id, c]) => {
    const sla = c.sla && expectedSlaTargets(plan.sla!.policy, plan.sla!.hours, c.sla.events, slaEnd(c.sla.silent));
    return {
      conversation_id: id,
      outcome: c.outcome as string,
      resolved_at: c.final?.silentAfter
        ? new Date(Date.parse(c.final.silentAfter) + 60_000).toISOString()
        : (c.final?.resolvedAt ?? null),
      reopen_count: c.final?.reopenCount ?? 0,
      resolution_type: c.final?.resolutionType ?? null,
      user_id: c.userId ?? null,
      sla_status: sla ? expectedSlaStatus(sla) : null,
    };
  });
  const timeline: TimelineRow[] = [...plan.conversations].flatMap(([id, c]) =>
    [...c.eventKeys].map((event_key) => ({ conversation_id: id, event_key, copies: 1 })),
  );
  const slaTargets = [...plan.conversations].flatMap(([id, c]) =>
    c.sla
      ? expectedSlaTargets(plan.sla!.policy, plan.sla!.hours, c.sla.events, slaEnd(c.sla.silent)).map((t) => ({
          conversation_id: id,
          target: t.target,
          started_at: t.startedAt,
          status: t.status,
        }))
      : [],
  );
  return { incidences, timeline, slaTargets };
}
const slaEnd = (silent: boolean) => ({ at: JUDGED_AT, silent });
const verdictOf = (plan: ChaosPlan, r: ReturnType<typeof perfect>) =>
  judge(plan, r.incidences, r.timeline, { slaTargets: r.slaTargets, judgedAt: JUDGED_AT });

describe('the chaos verdict', () => {
  const plan = chaosPlan({ runId: 'x', conversations: 2, eventsPerConversation: 3, duplicateShare: 0.5, seed: 1 });

  test('every delivery appears in the plan once or twice, and the perfect result passes', () => {
    expect(plan.deliveries.length).toBeGreaterThanOrEqual(6);
    expect(new Set(plan.deliveries).size).toBe(6);
    expect(verdictOf(plan, perfect(plan)).ok).toBe(true);
  });

  test('a lost event, a duplicate, a wrong outcome, a missing incidence or an unexpected event each fail it', () => {
    const lost = perfect(plan);
    lost.timeline.pop();
    expect(verdictOf(plan, lost)).toMatchObject({ ok: false, missingEvents: 1 });
    const doubled = perfect(plan);
    doubled.timeline[0]!.copies = 2;
    expect(verdictOf(plan, doubled)).toMatchObject({ ok: false, duplicateEvents: 1 });
    const wrong = perfect(plan);
    wrong.incidences[0]!.outcome = 'DROPPED_OR_ANYTHING';
    expect(verdictOf(plan, wrong)).toMatchObject({ ok: false, wrongOutcomes: 1 });
    const missing = perfect(plan);
    missing.incidences.pop();
    expect(verdictOf(plan, missing)).toMatchObject({ ok: false, missingIncidences: 1 });
    const unexpected = perfect(plan);
    unexpected.timeline.push({ conversation_id: 'chaos-x-0', event_key: 'message:never-sent', copies: 1 });
    expect(verdictOf(plan, unexpected)).toMatchObject({ ok: false, unexpectedEvents: 1, duplicateEvents: 0 });
  });
});

describe('the chaos verdict of lifecycles', () => {
  // Two blocks of the four lifecycles, one in each format.
  const plan = chaosPlan({
    runId: 'l',
    conversations: 8,
    eventsPerConversation: 5,
    duplicateShare: 0,
    seed: 2,
    lifecycle: true,
    realShare: 0.5,
  });
  const ids = [...plan.conversations.keys()];
  const reopenedThenResolved = ids[1]!;
  const silent = ids[2]!;

  test('the perfect result passes, with SLA targets the run can check', () => {
    const result = perfect(plan);
    expect(verdictOf(plan, result)).toMatchObject({ ok: true, wrongSlaStatuses: 0, duplicateEvents: 0 });
    expect(result.slaTargets.length).toBeGreaterThan(plan.conversations.size);
  });

  test('a wrong resolved_at or reopen count fails as a wrong state; a planned null resolved_at must be null', () => {
    const late = perfect(plan);
    late.incidences[0]!.resolved_at = new Date(Date.parse(late.incidences[0]!.resolved_at!) + 1000).toISOString();
    expect(verdictOf(plan, late)).toMatchObject({ ok: false, wrongStates: 1 });
    const unresolvedSilence = perfect(plan);
    unresolvedSilence.incidences[2]!.resolved_at = null;
    expect(verdictOf(plan, unresolvedSilence)).toMatchObject({ ok: false, wrongStates: 1 });
    // A conversation planned to stay unresolved (no close at all): any resolved_at is wrong.
    const open = structuredClone(plan);
    const openConversation = open.conversations.get(reopenedThenResolved)!;
    openConversation.final = { ...openConversation.final!, resolvedAt: null };
    const result = perfect(open);
    expect(result.incidences[1]!.resolved_at).toBeNull();
    expect(verdictOf(open, result)).toMatchObject({ ok: true });
    result.incidences[1]!.resolved_at = JUDGED_AT;
    expect(verdictOf(open, result)).toMatchObject({ ok: false, wrongStates: 1 });
  });

  test('an incidence without its app user fails as unresolved; a resolution without its tags as tags unread', () => {
    const noUser = perfect(plan);
    noUser.incidences[5]!.user_id = null;
    expect(verdictOf(plan, noUser)).toMatchObject({ ok: false, unresolvedUsers: 1, wrongStates: 0 });
    const noTags = perfect(plan);
    noTags.incidences[4]!.resolution_type = 'TAGS_PENDING';
    expect(verdictOf(plan, noTags)).toMatchObject({ ok: false, tagsUnread: 1 });
  });

  test('one event under two keys, a second reopen applied or a resolution announced twice is a duplicate the unique key cannot hide', () => {
    const [messageKey, otherKey] = [...plan.conversations.get(silent)!.eventKeys];
    const sameMessage = perfect(plan);
    const message = sameMessage.timeline.find((r) => r.event_key === messageKey)!;
    Object.assign(message, { event_type: 'MESSAGE', message_id: 'fc-message-1' });
    sameMessage.timeline.push({ ...message, event_key: 'message:sha256:another-hash-of-the-same-message' });
    // The second key is also not one the plan sent: both figures see it.
    expect(verdictOf(plan, sameMessage)).toMatchObject({ ok: false, duplicateEvents: 1, unexpectedEvents: 1 });
    const otherMessage = sameMessage.timeline.find((r) => r.event_key === otherKey)!;
    Object.assign(otherMessage, { event_type: 'MESSAGE', message_id: 'fc-message-2' });
    expect(verdictOf(plan, sameMessage).duplicateEvents).toBe(1);

    const resolution = perfect(plan);
    const rows = resolution.timeline.filter((r) => r.conversation_id === reopenedThenResolved);
    const resolutionKeys = [...plan.conversations.get(reopenedThenResolved)!.eventKeys].filter((k) =>
      k.startsWith('conversation_resolution'),
    );
    const at = '2026-03-02T04:35:01.000Z';
    for (const [k, key] of resolutionKeys.entries())
      Object.assign(
        rows.find((r) => r.event_key === key)!,
        {
          event_type: 'RESOLVED',
          occurred_at: new Date(Date.parse(at) + k * 120_000).toISOString(),
        },
      );
    expect(verdictOf(plan, resolution)).toMatchObject({ ok: true, duplicateEvents: 0 });
    // The first resolution again, 300 ms later, under the key its event id would not give.
    resolution.timeline.push({
      ...rows.find((r) => r.event_key === resolutionKeys[0])!,
      event_key: 'conversation_resolution:x',
      occurred_at: '2026-03-02T04:35:01.300Z',
    });
    expect(verdictOf(plan, resolution)).toMatchObject({ ok: false, duplicateEvents: 1 });

    // Outbound events: a redelivery of one id is allowed (at least once); a resolution announced under two ids is not.
    const announced = (ids: string[]) =>
      judge(plan, perfect(plan).incidences, perfect(plan).timeline, {
        slaTargets: perfect(plan).slaTargets,
        judgedAt: JUDGED_AT,
        deliveries: ids.map((id) => ({ id, type: 'incidence.resolved', conversation_id: ids[0]!.split(' ')[0]! })),
      });
    const first = `${ids[0]} incidence.resolved:i:2026-03-02T04:35:00.000Z`;
    expect(announced([first, first])).toMatchObject({ ok: true, duplicateEvents: 0 });
    expect(announced([first, `${ids[0]} incidence.resolved:i:2026-03-02T04:35:00.300Z`])).toMatchObject({
      ok: false,
      duplicateEvents: 1,
    });

    const reopenedTwice = perfect(plan);
    reopenedTwice.incidences[1]!.reopen_count = 2;
    expect(verdictOf(plan, reopenedTwice)).toMatchObject({ ok: false, duplicateEvents: 1, wrongStates: 1 });
  });

  test('a target stored with another status, lost, or never expected, or a wrong incidence status, fails it', () => {
    const metAsMissed = perfect(plan);
    const met = metAsMissed.slaTargets.find((t) => t.status === 'MET')!;
    met.status = 'MISSED';
    expect(verdictOf(plan, metAsMissed)).toMatchObject({ ok: false, wrongSlaStatuses: 1 });
    const lost = perfect(plan);
    lost.slaTargets.pop();
    expect(verdictOf(plan, lost)).toMatchObject({ ok: false, wrongSlaStatuses: 1 });
    const extra = perfect(plan);
    extra.slaTargets.push({ ...extra.slaTargets[0]!, started_at: '2026-03-02T05:00:00.000Z' });
    expect(verdictOf(plan, extra)).toMatchObject({ ok: false, wrongSlaStatuses: 1 });
    const status = perfect(plan);
    status.incidences[0]!.sla_status = 'MISSED';
    expect(verdictOf(plan, status)).toMatchObject({ ok: false, wrongSlaStatuses: 1 });
  });
});

describe('the SLA targets a conversation should have', () => {
  const policy: SlaPolicy = {
    name: 'p',
    thresholds: { FIRST_RESPONSE: 120, NEXT_RESPONSE: 300, RESOLUTION: 600 },
    hours: 'calendar',
    escalation: { action: 'NONE' },
  };
  const t = (minutes: number) => new Date(Date.parse('2026-03-02T10:00:00Z') + minutes * 60_000).toISOString();
  const events: SlaEvent[] = [
    { at: t(0), kind: 'customer_message' },
    { at: t(1), kind: 'agent_reply' },
    { at: t(2), kind: 'customer_message' },
    { at: t(3), kind: 'customer_message' },
    { at: t(8), kind: 'agent_reply' },
    { at: t(12), kind: 'resolved' },
    { at: t(13), kind: 'reopened' },
  ];
  const short = (targets: ReturnType<typeof expectedSlaTargets>) =>
    targets.map((x) => `${x.target} ${(Date.parse(x.startedAt) - Date.parse(t(0))) / 60_000} ${x.status}`);

  test('met by an answer in time, missed by a late one, by a late resolution, or by no answer at all', () => {
    const open = expectedSlaTargets(policy, ALWAYS_OPEN, events, { at: t(14), silent: false });
    expect(short(open)).toEqual([
      'FIRST_RESPONSE 0 MET',
      // Waiting since the first unanswered message (2), due at 7, answered at 8.
      'NEXT_RESPONSE 2 MISSED',
      'RESOLUTION 0 MISSED',
      'RESOLUTION 13 ACTIVE',
      'FIRST_RESPONSE 13 ACTIVE',
    ]);
    expect(expectedSlaStatus(open)).toBe('MISSED');
    const later = expectedSlaTargets(policy, ALWAYS_OPEN, events, { at: t(16), silent: false });
    expect(short(later).slice(3)).toEqual(['RESOLUTION 13 ACTIVE', 'FIRST_RESPONSE 13 MISSED']);
  });

  test('cancelled by a close before their due time; out-of-order events are taken in time order', () => {
    const silent = expectedSlaTargets(policy, ALWAYS_OPEN, [...events].reverse(), { at: t(14), silent: true });
    expect(short(silent).slice(3)).toEqual(['RESOLUTION 13 CANCELLED', 'FIRST_RESPONSE 13 CANCELLED']);
    const inTime = expectedSlaTargets(policy, ALWAYS_OPEN, events.slice(0, 2).concat({ at: t(5), kind: 'resolved' }), {
      at: t(30),
      silent: false,
    });
    expect(short(inTime)).toEqual(['FIRST_RESPONSE 0 MET', 'RESOLUTION 0 MET']);
    expect(expectedSlaStatus(inTime)).toBe('MET');
    expect(expectedSlaTargets(null, ALWAYS_OPEN, events, { at: t(14), silent: false })).toEqual([]);
  });
});

describe('the chaos verdict with reconciliation', () => {
  const plan = realChaosPlan({
    runId: 'y',
    conversations: 2,
    eventsPerConversation: 4,
    duplicateShare: 0,
    dropShare: 0.5,
    seed: 3,
  });
  const [id, expected] = [...plan.conversations][0]!;
  const all = () =>
    [...plan.conversations].flatMap(([c, e]) =>
      [...e.eventKeys].map((event_key) => ({ conversation_id: c, event_key, copies: 1 })),
    );
  const incidences = [...plan.conversations].map(([c, e]) => ({ conversation_id: c, outcome: e.outcome as string }));
  const [assignmentKey, repairKey] = [...expected.repairKeys!][0]!;

  test('an assignment repaired under its own key counts as present; under both keys, as a duplicate', () => {
    expect(plan.droppedEvents).toBeGreaterThan(0);
    const repaired = all().map((r) => (r.event_key === assignmentKey ? { ...r, event_key: repairKey } : r));
    expect(judge(plan, incidences, repaired)).toMatchObject({ ok: true, missingEvents: 0, unexpectedEvents: 0 });
    const both = [...all(), { conversation_id: id, event_key: repairKey, copies: 1 }];
    expect(judge(plan, incidences, both)).toMatchObject({ ok: false, duplicateEvents: 1 });
  });
});
