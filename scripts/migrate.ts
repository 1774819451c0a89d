import 'dotenv/config';
import { loadConfig } from '../infra/config';
import { ensureDatabase, migrate } from '../infra/migrator';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.DATABASE_URL);
  const result = await migrate(config.DATABASE_URL);
  console.log(`migrations applied: ${result.applied.join(', ') || 'none'}; already applied: ${result.skipped.length}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
