import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { LogExporterConfig, RuntimeOptions } from '@temporalio/worker';
import type { Logger } from './logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The Temporal SDK's logger (the worker's own lines, workflow `log.*` through the SDK's sink, activity context logs)
 * written through our pino logger: JSON lines with the same redaction as every other line of the process.
 */
function sdkLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]]({ ...meta }, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** The Rust core's own lines (warnings and errors) forwarded to the SDK's logger, not printed in the core's format. */
const SDK_CORE_LOGGING: LogExporterConfig = { forward: {}, filter: { core: 'WARN', other: 'ERROR' } };

/**
 * The Temporal runtime of a worker process: every SDK line (the worker's, workflows' `log.*`, activities', the core's
 * warnings) through `logger`; the SDK's Prometheus metrics on `metricsPort` when given.
 */
export function sdkRuntimeOptions(logger: Logger, metricsPort?: number): RuntimeOptions {
  return {
    logger: sdkLogger(logger),
    telemetryOptions: {
      logging: SDK_CORE_LOGGING,
      ...(metricsPort !== undefined ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort}` } } } : {}),
    },
  };
}
