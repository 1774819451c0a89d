/**
 * What encrypting Temporal payloads costs the worker and the API: encode and decode time per payload of a
 * conversation event (a webhook's normalised message with user properties), one core, no I/O.
 *   npm run bench:codec -- --payloads 20000
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../infra/payload-codec';
import { flag, percentile } from './table';

const count = flag('payloads', 20_000);
const event = {
  kind: 'message',
  format: 'simplified',
  conversationId: '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71',
  eventKey: `message_create:sha256:${randomBytes(32).toString('hex')}`,
  occurredAt: new Date().toISOString(),
  actor: 'USER',
  text: 'Hi! We are planning my sister’s wedding reception in Jaipur on 14 Feb, around 350 guests. '.repeat(3),
  userProperties: {
    user_id: 'usr_8F3K2Q',
    current_screen: 'platter_customise',
    cart_value: 185000,
    phone: '+919829041766',
  },
};
const payload = defaultPayloadConverter.toPayload(event);
const codec = new EncryptionCodec([{ id: 'bench', key: randomBytes(32) }]);

async function timeEach(step: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await step();
    times.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return times;
}

async function main(): Promise<void> {
  const [sealed] = await codec.encode([payload]);
  await timeEach(() => codec.encode([payload])); // warm-up
  const encode = await timeEach(() => codec.encode([payload]));
  const decode = await timeEach(() => codec.decode([sealed!]));
  const row = (name: string, t: number[]) => ({
    step: name,
    payloads: count,
    'mean µs': +(t.reduce((a, b) => a + b, 0) / t.length).toFixed(1),
    'p50 µs': +percentile(t, 50).toFixed(1),
    'p99 µs': +percentile(t, 99).toFixed(1),
  });
  console.log(`payload ${payload.data!.length} bytes in clear, ${sealed!.data!.length} bytes sealed`);
  console.table([row('encode', encode), row('decode', decode)]);
}

void main();
