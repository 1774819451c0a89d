import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError, type Config } from './config';

/**
 * How the API and the worker reach Temporal, through the SDK's own environment configuration
 * (@temporalio/envconfig): a profile from TEMPORAL_CONFIG_FILE (or the default temporal.toml) chosen by
 * TEMPORAL_PROFILE, overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS,
 * TEMPORAL_TLS_SERVER_CA_CERT_PATH/_DATA, TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA, TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA,
 * TEMPORAL_TLS_SERVER_NAME and TEMPORAL_GRPC_META_*. With none of them: the local dev server, unsecured.
 */
export function temporalConnection(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>,
  env: NodeJS.ProcessEnv,
): { address: string; namespace: string; connection: NativeConnectionOptions & { address: string } } {
  const sdkEnv = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('TEMPORAL_') && !!e[1]?.trim()),
  );
  let loaded;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: { ...sdkEnv, ...(env.HOME ? { HOME: env.HOME } : {}) } });
  } catch (error) {
    throw new ConfigError([`Temporal connection (TEMPORAL_* variables or profile): ${(error as Error).message}`]);
  }
  const address = loaded.connectionOptions.address ?? config.TEMPORAL_ADDRESS;
  return {
    address,
    namespace: loaded.namespace ?? config.TEMPORAL_NAMESPACE,
    connection: { ...loaded.connectionOptions, address },
  };
}
