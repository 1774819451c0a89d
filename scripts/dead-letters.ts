/**
 * Events PostgreSQL refused, kept in the dead-letter table (docs/record-guarantee.md).
 *   npm run dead-letters -- list [--conversation <id>]
 *   npm run dead-letters -- replay [--conversation <id>]
 * `replay` hands each pending event back to its conversation, after the fix that lets it through is deployed.
 */
import 'dotenv/config';
import { createConversationGateway } from '../gateways/conversation-gateway';
import { loadSettings } from '../infra/settings';
import { createDatabasePool } from '../infra/db';
import { createTemporalClient } from '../infra/temporal';
import { pendingDeadLetters } from '../stores/dead-letter-store';
import { replayDeadLetters } from '../gateways/replay-dead-letters';

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const at = rest.indexOf('--conversation');
  const conversationId = at >= 0 ? rest[at + 1] : undefined;
  if (command !== 'list' && command !== 'replay')
    throw new Error('usage: dead-letters list|replay [--conversation <id>]');
  const settings = loadSettings();
  const pool = await createDatabasePool(settings.database.url, 2);
  try {
    if (command === 'list') {
      for (const l of await pendingDeadLetters(pool, conversationId))
        console.log(`${l.failedAt}  ${l.conversationId}  ${l.eventKey}  ${l.step}  ${l.sqlstate ?? '-'}  ${l.error}`);
      return;
    }
    const temporal = createTemporalClient(settings.temporal);
    try {
      const gateway = createConversationGateway(temporal, settings);
      const { replayed, failed } = await replayDeadLetters(
        { pool, deliver: (e) => gateway.deliver(e) },
        { conversationId },
      );
      console.log(`replayed ${replayed.length} dead letters; ${failed.length} could not be handed over`);
      for (const f of failed) console.log(`  ${f.letter.conversationId} ${f.letter.eventKey}: ${f.error}`);
      if (failed.length) process.exitCode = 1;
    } finally {
      await temporal.connection.close();
    }
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
