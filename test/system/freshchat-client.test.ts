import { ApplicationFailure } from '@temporalio/common';
import { createFreshchatClient } from '../../clients/freshchat-client';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';

const freshchat = new FakeFreshchat();
beforeAll(() => freshchat.start());
afterAll(() => freshchat.stop());

const failureOf = async (promise: Promise<unknown>): Promise<ApplicationFailure> => {
  try {
    await promise;
  } catch (error) {
    return error as ApplicationFailure;
  }
  throw new Error('expected a failure');
};

test('Retry-After is honoured up to a minute, not for a day', async () => {
  const client = createFreshchatClient({ baseUrl: freshchat.url, token: 't' });
  freshchat.failNext(
    { status: 429, headers: { 'retry-after': '86400' } },
    { status: 503, headers: { 'retry-after': '5' } },
  );
  const capped = await failureOf(client.getConversation('c-1'));
  expect(capped).toMatchObject({ type: 'FreshchatUnavailable', nonRetryable: false });
  expect(Number(capped.nextRetryDelay)).toBe(60_000);
  expect(Number((await failureOf(client.getConversation('c-1'))).nextRetryDelay)).toBe(5_000);
});

test('a 200 that is not JSON is not retryable', async () => {
  const client = createFreshchatClient({ baseUrl: freshchat.url, token: 't' });
  freshchat.failNext({ status: 200, raw: '<html>maintenance</html>' });
  expect(await failureOf(client.getUser('u-1'))).toMatchObject({ type: 'FreshchatBadAnswer', nonRetryable: true });
});

test('text in an answer is kept storable: a lone surrogate escaped in the JSON is dropped, U+0000 too', async () => {
  const client = createFreshchatClient({ baseUrl: freshchat.url, token: 't' });
  freshchat.failNext({
    status: 200,
    raw: '{"id":"u-1","reference_id":"usr_1","first_name":"Anan\\ud83dya\\u0000","properties":[{"name":"city","value":"Pune \\ud83d\\ude00"}]}',
  });
  const user = JSON.stringify(await client.getUser('u-1'));
  expect(user).not.toMatch(/\\ud[89a-f]|\\u0000/i);
  expect(user).toContain('Pune \u{1F600}');
});

test('every id in a Freshchat URL is one path segment: the escalation calls refuse `..` before any request', async () => {
  const client = createFreshchatClient({ baseUrl: freshchat.url, token: 't' });
  const before = freshchat.requests.length;
  for (const id of ['..', '.', 'a/b', 'a\\b']) {
    expect(await failureOf(client.assignToGroup(id, 'priority'))).toMatchObject({
      type: 'UnsafeId',
      nonRetryable: true,
    });
    expect(await failureOf(client.addPrivateNote(id, 'sla-bot', 'note'))).toMatchObject({
      type: 'UnsafeId',
      nonRetryable: true,
    });
    expect(await failureOf(client.listMessages(id))).toMatchObject({ type: 'UnsafeId', nonRetryable: true });
  }
  expect(freshchat.requests.length).toBe(before);
});
