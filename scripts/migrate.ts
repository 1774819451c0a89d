import 'dotenv/config';
import { loadSettings } from '../infra/settings';
import { ensureDatabase, migrate, migrationStatus } from '../infra/migrator';

/**
 * `npm run migrate`: applies the pending migrations (the compose `migrate` step runs this before the worker and API
 * start). `npm run migrate -- status`: each migration file, applied (when) or pending, and any file edited after it
 * ran; exits 1 when one was.
 */
async function main(): Promise<void> {
  const { database } = loadSettings();
  await ensureDatabase(database.url);
  if (process.argv[2] === 'status') {
    const status = await migrationStatus(database.url);
    for (const s of status) console.log(`${s.state.padEnd(22)} ${s.appliedAt ?? ''.padEnd(24)} ${s.file}`);
    if (status.some((s) => s.state === 'changed since applied')) process.exit(1);
    return;
  }
  const result = await migrate(database.url);
  console.log(`migrations applied: ${result.applied.join(', ') || 'none'}; already applied: ${result.skipped.length}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
