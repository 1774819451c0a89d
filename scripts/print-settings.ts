/**
 * Prints what scripts/up.sh needs (API port, Temporal address, namespace, task queue) from the environment and
 * .env, read the way the API and the worker read them: exported variables win over .env, values are taken
 * verbatim (no shell expansion), and a malformed configuration stops the start with every problem named.
 */
import 'dotenv/config';
import { loadSettings } from '../infra/settings';

try {
  const { http, temporal } = loadSettings();
  console.log([http.port, temporal.address, temporal.namespace, temporal.taskQueue].join(' '));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
