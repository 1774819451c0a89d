import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/conversation/search-attributes';

const root = path.resolve(__dirname, '..', '..');

/**
 * A real Temporal dev server on free ports, with the system's search attributes: the CLI from TEMPORAL_CLI_PATH, else
 * the one scripts/setup-temporal.sh builds. Used by the test suite's global setup and by the benchmarks.
 */
export async function startDevServer(options: { uiPort?: number } = {}): Promise<TestWorkflowEnvironment> {
  const executable =
    process.env.TEMPORAL_CLI_PATH ??
    execFileSync('bash', [path.join(root, 'scripts/setup-temporal.sh')], { encoding: 'utf8' }).trim();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      ip: '127.0.0.1',
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      // The Temporal UI, for the tests that look at it in a browser; else headless.
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
    },
  });
}
