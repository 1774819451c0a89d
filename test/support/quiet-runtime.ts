import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../infra/logger';
import { sdkRuntimeOptions } from '../../infra/sdk-logger';
import { runtimeLogDestination } from './runtime-log';

// Our own info logs (e.g. every reconciliation pass) are noise in test output.
process.env.LOG_LEVEL ??= 'warn';

// The SDK logs through pino with the worker's own runtime options (infra/sdk-logger.ts); tests only want warnings and errors.
try {
  Runtime.install(sdkRuntimeOptions(createLogger({ level: 'warn', destination: runtimeLogDestination })));
} catch {
  // already installed in this process
}
