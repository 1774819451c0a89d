import { replayHistories } from './support/replay';

// Every history below replays with one replay worker in one subprocess (starting one per history cost a second or
// two each); each test judges its own history's verdict.
const HISTORIES = [
  { file: 'conversation-resolved-before-weekly-report.pb', workflowId: 'conversation-replay-before-weekly-report' },
  {
    file: 'conversation-sla-first-and-next-response-breached.pb',
    workflowId: 'conversation-5c8eb9de-1356-4ee3-96c2-e0ebd21ee1d0',
  },
  { file: 'conversation-closed-for-silence-before-record-guarantee.pb', workflowId: 'conversation-c-rec' },
  { file: 'conversation-sla-breach-due-in-continued-run.pb', workflowId: 'conversation-c-sla-continued' },
  { file: 'conversation-events-in-one-step.pb', workflowId: 'conversation-c-batched' },
  { file: 'conversation-sla-steps-in-event-loop.pb', workflowId: 'conversation-c-sla-in-loop' },
  { file: 'conversation-sla-aimed-again-before-due.pb', workflowId: 'conversation-c-sla-aimed' },
];
let replay: ReturnType<typeof replayHistories>;
beforeAll(() => {
  replay = replayHistories(HISTORIES);
}, 120_000);

/** The replay's verdict for one history: no error output, every event of the history replayed. */
function expectReplayed(workflowId: string, events: number): void {
  expect(replay.stderr).toBe('');
  expect(replay.verdicts.get(workflowId)).toBe(`replayed ${events} events`);
}

// Recorded with the conversation workflow as it was before the weekly report hand-off: messages, an assignment and an
// order_placed resolution. Today's code must replay it unchanged: the hand-off to the weekly report is behind
// patched('weekly-report-handoff'), so old histories (no marker) take the old path; without the patch this replay
// fails with a nondeterminism error (a StartChildWorkflowExecution command the history does not have).

test('a conversation resolved before the weekly-report hand-off existed replays with the current workflow code', () => {
  expectReplayed('conversation-replay-before-weekly-report', 24);
});

// Recorded with SLA timers (patched 'sla-timers'), while running: a wedding customer's first response breached (a
// timer, a stored breach, escalation and outbound-event delivery workflows), answered, then a next response breached.
// Changes to the conversation workflow must keep replaying it.
test('a conversation with first- and next-response breaches replays with the current workflow code', () => {
  expectReplayed('conversation-5c8eb9de-1356-4ee3-96c2-e0ebd21ee1d0', 92);
});

// Recorded with the workflow as it was before the record guarantee: a message, an assignment, a real-format resolution
// whose tags were read before it was applied, a reopen, a close for silence and the reopen window. Today's code takes
// the old paths for it (no 'incidence-record-guarantee' marker): the blocking tag lookup, the unguarded silence close.
// Recorded on the replay worker's task queue name ('fake_replay_queue-0'): the weekly report's workflow id holds it.
test('a conversation closed for silence before the record guarantee replays with the current workflow code', () => {
  expectReplayed('conversation-c-rec', 57);
});

// Recorded with SLA timers and the record guarantee: the run a conversation continued into (past its history limit)
// with a first-response target still running and no event yet. The breach came due first and was recorded with the
// carried conversation state (patched 'sla-timers-carried-state'); a later message was then applied. Before that patch
// the loop spun on the overdue target (a deadlocked workflow task) and this run never recorded the breach.
test('a continued conversation whose SLA breach came due before its first event replays with the current workflow code', () => {
  expectReplayed('conversation-c-sla-continued', 27);
});

// Recorded with queued events stored in one step (patched 'events-in-one-step', SLA timers off as by default): a burst
// before the worker ran (a message, an assignment, a refused message dead-lettered alone, a redelivery, a real-format
// resolution whose tags were filled in beside the loop), then a reopen, the refused message replayed and one more
// message, one at a time; the run still open. Changes to the store path or the loop's folding must keep replaying it.
test('a conversation recorded with events stored in one step replays with the current workflow code', () => {
  expectReplayed('conversation-c-batched', 69);
});

// Recorded with SLA timers and the weekly report hand-off in the event loop (patched 'sla-steps-in-event-loop' and
// 'report-hand-off-in-event-loop'), escalation and outbound events on, while running: an unanswered customer's first
// response breached (the loop's idle wait ended at its due time: a timer, the stored breach, escalation and
// announcement delivery workflows), a next response met, the resolution met (the report hand-off), then a reopen whose
// first response was met; the run still open with its resolution target running.
test('a conversation recorded with SLA steps in the event loop replays with the current workflow code', () => {
  expectReplayed('conversation-c-sla-in-loop', 145);
});

// Recorded with SLA waits aimed again before their due time (patched 'sla-aimed-again-before-due'): a slow first
// workflow task (the SLA plan took 1.5 s), so the first-response wait woke early and was aimed again from a task of its
// own, then the breach; an agent's answer, a customer message whose next-response wait woke early and was cancelled
// by the answer that followed; the run still open.
test('a conversation recorded with SLA waits aimed again before their due time replays with the current workflow code', () => {
  expectReplayed('conversation-c-sla-aimed', 73);
});
