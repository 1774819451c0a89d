import { Writable } from 'node:stream';
import { createLogger, MAX_ERROR_TEXT } from '../../infra/logger';
import { createRedis } from '../../infra/redis';
import { sdkRuntimeOptions } from '../../infra/sdk-logger';

const EMAIL = 'ananya.sharma@example.in';
const PHONE = '+919829041766';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), output: () => lines.join('') };
}

test('personal data and credentials in log fields are redacted, at the top level and one level down', () => {
  const { logger, output } = capture();
  logger.info(
    {
      userId: 'usr_8F3K2Q',
      email: EMAIL,
      profile: { name: 'Ananya', phone: PHONE },
      event: { text: 'my number is 98290 41766', userProperties: { phone: PHONE } },
      req: { headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'sid=1' } },
    },
    'context changed',
  );
  const line = output();
  for (const leaked of [EMAIL, PHONE, '98290 41766', 'Ananya', 'eyJhbGciOi', 'sid=1'])
    expect(line).not.toContain(leaked);
  expect(JSON.parse(line)).toMatchObject({ userId: 'usr_8F3K2Q', email: '[redacted]', msg: 'context changed' });
});

test('a real ioredis error keeps its command name and reply but not the arguments it echoes', async () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  try {
    const update = JSON.stringify({ set: { email: EMAIL, phone: PHONE } });
    const error = await redis.evalsha('0'.repeat(40), 1, 'slo-test:log-redaction', update).catch((e: unknown) => e);
    expect((error as { command?: { args?: unknown[] } }).command?.args).toContain(update); // what ioredis attaches
    const { logger, output } = capture();
    logger.error({ err: error, path: '/api/v1/context/usr_1/profile' }, 'context storage failed');
    const line = output();
    expect(line).not.toContain(EMAIL);
    expect(line).not.toContain(PHONE);
    expect(JSON.parse(line).err).toMatchObject({
      command: { name: 'evalsha' },
      message: expect.stringMatching(/NOSCRIPT/),
    });
  } finally {
    redis.disconnect();
  }
});

test('long library messages are clipped', () => {
  const { logger, output } = capture();
  logger.error({ err: new Error(`bad value: ${'x'.repeat(5000)}${EMAIL}`) }, 'failed');
  const { err } = JSON.parse(output()) as { err: { message: string; stack: string } };
  expect(err.message.length).toBeLessThan(MAX_ERROR_TEXT + 20);
  expect(err.stack).not.toContain(EMAIL);
  expect(output()).not.toContain(EMAIL);
});

test("the worker's Temporal runtime writes the SDK's lines (workflow log calls, the worker's own) as JSON lines with the same redaction", () => {
  const { logger, output } = capture();
  const runtime = sdkRuntimeOptions(logger);
  // The core's own warnings are forwarded to that logger too, not printed in the core's format.
  expect(runtime.telemetryOptions?.logging).toMatchObject({ forward: {} });
  runtime.logger!.error('event refused by the database', {
    sdkComponent: 'workflow',
    workflowId: 'conversation-c-1',
    event: { eventKey: 'message:m-1', text: 'call me on 98290 41766', userProperties: { phone: PHONE } },
  });
  const line = output();
  expect(line).not.toContain('98290 41766');
  expect(line).not.toContain(PHONE);
  expect(JSON.parse(line)).toMatchObject({
    level: 50,
    workflowId: 'conversation-c-1',
    msg: 'event refused by the database',
  });
});
