import { ApplicationFailure } from '@temporalio/common';
import { DATA_REJECTED } from '../../domain/record-values';
import { at, conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { testRunId } from '../support/database';
import { eventually } from '../support/eventually';
import { runtimeLogLines } from '../support/runtime-log';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

const TEXT = 'Call me on +91 98290 41766 about the wedding thali';
const PHONE = '+919829041766';

test('a dead letter the database refuses too is logged as JSON with its ids, never its text or phone', async () => {
  const store = fakeIncidences({ refuse: (key) => key === 'message:refused' });
  const id = `dead-letter-log-${Date.now()}`;
  const taskQueue = `wf-${testRunId()}`;
  const refused = {
    ...events.message(id, 'message:refused', at(1)),
    text: TEXT,
    userProperties: { user_id: 'usr_1', phone: PHONE },
  };
  await deliver(harness.client, taskQueue, refused, conversationSettings());
  const activities = {
    ...store.activities,
    async deadLetter() {
      throw ApplicationFailure.create({
        message: 'deadLetter: PostgreSQL refused the data (22P02)',
        type: DATA_REJECTED,
        nonRetryable: true,
        details: [{ sqlstate: '22P02', step: 'deadLetter' }],
      });
    },
  };

  const lines = await harness.withWorker(
    activities,
    () =>
      eventually(async () => {
        const lines = runtimeLogLines().filter((l) => l.includes(id));
        expect(lines.some((l) => l.includes('dead letter refused too'))).toBe(true);
        return lines;
      }),
    taskQueue,
  );

  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(parsed.find((l) => String(l.msg).startsWith('dead letter refused too'))).toMatchObject({
    level: 50,
    conversationId: id,
    eventKey: 'message:refused',
    kind: 'message',
    workflowId: expect.stringContaining(id),
  });
  for (const line of runtimeLogLines()) {
    expect(line).not.toContain('98290');
    expect(line).not.toContain(PHONE);
    expect(line).not.toContain('wedding thali');
  }
});
