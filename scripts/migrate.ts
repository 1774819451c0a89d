import 'dotenv/config';
import { loadSettings } from '../infra/settings';
import { ensureDatabase, migrate } from '../infra/migrator';

async function main(): Promise<void> {
  const { database } = loadSettings();
  await ensureDatabase(database.url);
  const result = await migrate(database.url);
  console.log(`migrations applied: ${result.applied.join(', ') || 'none'}; already applied: ${result.skipped.length}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
