import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../infra/logger';
import { sdkRuntimeOptions } from '../../infra/sdk-logger';
import { runtimeLogDestination } from './runtime-log';

// The SDK logs through pino with the worker's own runtime options (infra/sdk-logger.ts); tests only want warnings and
// errors.
let runtime: Runtime | undefined;
try {
  runtime = Runtime.install(sdkRuntimeOptions(createLogger({ level: 'warn', destination: runtimeLogDestination })));
} catch {
  // already installed in this process
}

// The runtime forwards the core's log lines through a native callback that keeps Node's event loop alive until the
// runtime shuts down. The SDK shuts it down when its last worker or connection closes; a file that never opened one
// (or had closed them all before this hook) would keep a single-file run of jest from exiting.
afterAll(async () => {
  const idle = runtime as unknown as { shutdownIfIdle(): Promise<void> } | undefined;
  await idle?.shutdownIfIdle();
});
