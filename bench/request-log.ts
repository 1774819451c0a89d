/**
 * What the request id and request line cost per request (api/request-log.ts), one core, no network: the middleware
 * around a no-op handler, with the line off (LOG_LEVEL warn) and on (info, written to /dev/null by pino), against
 * the no-op handler alone; and the line through the process logger's redaction, which the request lines skip.
 *   npm run bench:request-log -- --requests 200000
 */
import pino from 'pino';
import type { Context } from 'koa';
import { createLogger } from '../infra/logger';
import { requestLog } from '../api/request-log';
import { flag } from './table';

const count = flag('requests', 200_000);

function fakeContext(i: number): Context {
  const headers: Record<string, string> = i % 2 ? { 'x-request-id': `app-${i}` } : {};
  return {
    method: 'POST',
    status: 200,
    state: {},
    _matchedRoute: '/webhooks/freshchat',
    get: (name: string) => headers[name] ?? '',
    set: () => undefined,
  } as unknown as Context;
}

async function perRequestNs(run: (ctx: Context) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20_000; i++) await run(fakeContext(i)); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(fakeContext(i));
  return Number(process.hrtime.bigint() - started) / count;
}

async function main(): Promise<void> {
  const handler = async () => undefined;
  const off = requestLog(createLogger({ level: 'warn' }));
  const toNull = () => pino.destination({ dest: '/dev/null', sync: true });
  const on = requestLog(createLogger({ level: 'info', redact: false, destination: toNull() }));
  const redacted = requestLog(createLogger({ level: 'info', destination: toNull() }));
  const bare = await perRequestNs(handler);
  const lineOff = await perRequestNs((ctx) => off(ctx, handler));
  const lineOn = await perRequestNs((ctx) => on(ctx, handler));
  const lineRedacted = await perRequestNs((ctx) => redacted(ctx, handler));
  const rows = [
    { variant: 'handler alone', 'ns/request': Math.round(bare) },
    {
      variant: 'request id, line off (warn)',
      'ns/request': Math.round(lineOff),
      'added µs': +((lineOff - bare) / 1000).toFixed(2),
    },
    {
      variant: 'request id and line (info)',
      'ns/request': Math.round(lineOn),
      'added µs': +((lineOn - bare) / 1000).toFixed(2),
    },
    {
      variant: 'the same through the redacting logger',
      'ns/request': Math.round(lineRedacted),
      'added µs': +((lineRedacted - bare) / 1000).toFixed(2),
    },
  ];
  console.table(rows);
  console.log(
    JSON.stringify({
      bench: 'request-log',
      requests: count,
      added_us_line_off: +((lineOff - bare) / 1000).toFixed(2),
      added_us_line_on: +((lineOn - bare) / 1000).toFixed(2),
    }),
  );
}

void main();
