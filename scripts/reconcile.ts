/**
 * One reconciliation pass now, through the running worker; prints what it repaired. Exits 1 when the pass ended
 * with an error (Freshchat down, say).
 *   npm run reconcile [-- --lookback 7d]
 */
import 'dotenv/config';
import { Client, Connection } from '@temporalio/client';
import { describePass } from '../domain/reconciliation/reconciliation-pass';
import { loadSettings } from '../infra/settings';
import { payloadDataConverter } from '../infra/payload-codec';
import { parseDuration } from '../domain/duration';
import { runManualPass } from '../gateways/reconciliation-schedule';

async function main(): Promise<void> {
  const settings = loadSettings();
  const i = process.argv.indexOf('--lookback');
  const lookbackMs = i >= 0 ? parseDuration(process.argv[i + 1] ?? '') : undefined;
  if (i >= 0 && lookbackMs === undefined) throw new Error('--lookback expects a duration like 24h or 7d');
  const connection = await Connection.connect(settings.temporal.connection);
  try {
    const client = new Client({
      connection,
      namespace: settings.temporal.namespace,
      dataConverter: payloadDataConverter(settings.temporal.payloadKeys),
    });
    console.log(`reconciliation pass on task queue ${settings.temporal.taskQueue} (needs a running worker)…`);
    const summary = await runManualPass(client, settings, lookbackMs === undefined ? {} : { lookbackMs });
    console.log(describePass(summary));
    if (summary.conversations?.length) {
      console.table(
        summary.conversations.map((c) => ({ conversation: c.conversationId, discovered: !c.seen, ...c.repaired })),
      );
    }
    process.exitCode = summary.error ? 1 : 0;
  } finally {
    await connection.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
