import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../infra/logger';
import { SDK_CORE_LOGGING, sdkLogger } from '../../infra/sdk-logger';
import { runtimeLogDestination } from './runtime-log';

// Our own info logs (e.g. every reconciliation pass) are noise in test output.
process.env.LOG_LEVEL ??= 'warn';

// The SDK logs through pino as the worker does (infra/sdk-logger.ts); tests only want warnings and errors.
try {
  Runtime.install({
    logger: sdkLogger(createLogger({ level: 'warn', destination: runtimeLogDestination })),
    telemetryOptions: { logging: SDK_CORE_LOGGING },
  });
} catch {
  // already installed in this process
}
