/**
 * Measures, against a running system (`npm run up`), the time from a signed webhook POST to its
 * incidence row in PostgreSQL. Sequential, one new conversation per sample.
 *   npm run bench:webhook-to-row -- --samples 50
 */
import 'dotenv/config';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../infra/config';
import { flag, percentile, printTable } from './table';

async function main(): Promise<void> {
  const config = loadConfig();
  const samples = flag('samples', 30);
  const baseUrl = process.env.API_URL ?? `http://127.0.0.1:${config.PORT}`;
  const template = JSON.parse(
    readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'freshchat', 'simplified-message_create.json'), 'utf8'),
  );
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const accepted: number[] = [];
  const toRow: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const conversationId = `bench-${randomUUID()}`;
      template.data.conversation.id = conversationId;
      const body = JSON.stringify(template);
      const signature = createHmac('sha256', config.FRESHCHAT_WEBHOOK_SECRET ?? '')
        .update(body)
        .digest('hex');
      const start = performance.now();
      const res = await fetch(`${baseUrl}/webhooks/freshchat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-freshchat-signature': signature },
        body,
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      accepted.push(performance.now() - start);
      for (;;) {
        const { rowCount } = await db.query('SELECT 1 FROM incidences WHERE conversation_id = $1', [conversationId]);
        if (rowCount) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      toRow.push(performance.now() - start);
    }
  } finally {
    await db.end();
  }
  printTable([
    { name: 'webhook → 200 (Temporal accepted)', requests: samples, ...latencies(accepted) },
    { name: 'webhook → incidence row', requests: samples, ...latencies(toRow) },
  ]);
}

const latencies = (ms: number[]) => ({ p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) });

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
