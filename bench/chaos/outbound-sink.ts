import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An outbound event as the chaos verdict reads it. */
export interface ReceivedDelivery {
  id: string;
  type: string;
  conversation_id: string;
}

/**
 * A receiver of the worker's signed outbound events (OUTBOUND_EVENTS_URL) for the chaos run: answers 200 and keeps
 * each event's id, type and conversation, so the verdict can count a resolution announced twice under two ids.
 */
export async function startOutboundSink(): Promise<{
  url: string;
  deliveries: ReceivedDelivery[];
  stop(): Promise<void>;
}> {
  const deliveries: ReceivedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        deliveries.push({ id: event.id, type: event.type, conversation_id: event.data?.conversation_id });
      } catch {
        // Not an event: counted nowhere.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    deliveries,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
