import { DefaultLogger, Runtime } from '@temporalio/worker';

// Our own info logs (e.g. every reconciliation pass) are noise in test output.
process.env.LOG_LEVEL ??= 'warn';

// The SDK logs every worker state change at INFO; tests only want warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
