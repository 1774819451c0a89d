import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually';

const root = path.resolve(__dirname, '..', '..');

export interface TemporalUiSettings {
  /** The Temporal frontend (a dev server's address). */
  temporalAddress: string;
  port: number;
  /** The UI's own OIDC sign-in: the provider's issuer and the UI's client there. */
  oidc: { issuer: string; clientId: string; clientSecret: string };
  /** The codec server, with the UI's "pass access token" on. */
  codecEndpoint: string;
}

export interface TemporalUi {
  origin: string;
  stop(): Promise<void>;
}

/**
 * The Temporal UI served by its own server (scripts/setup-temporal-ui.sh: the UI version the dev server embeds),
 * configured by a file as operators configure it: sign-in with OIDC, and the codec endpoint receiving the signed-in
 * person's access token.
 */
export async function startTemporalUi(settings: TemporalUiSettings): Promise<TemporalUi> {
  const executable = execFileSync('bash', [path.join(root, 'scripts/setup-temporal-ui.sh')], {
    encoding: 'utf8',
  }).trim();
  const origin = `http://127.0.0.1:${settings.port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'temporal-ui-'));
  mkdirSync(path.join(dir, 'config'));
  // JSON is YAML: the server's configuration file, in its own keys (server/config/config.go of ui-server).
  const config = {
    temporalGrpcAddress: settings.temporalAddress,
    host: '127.0.0.1',
    port: settings.port,
    enableUi: true,
    defaultNamespace: 'default',
    hideLogs: true,
    cors: { cookieInsecure: true },
    auth: {
      enabled: true,
      providers: [
        {
          label: 'test provider',
          type: 'oidc',
          providerUrl: settings.oidc.issuer,
          clientId: settings.oidc.clientId,
          clientSecret: settings.oidc.clientSecret,
          scopes: ['openid', 'profile', 'email'],
          callbackUrl: `${origin}/auth/sso/callback`,
        },
      ],
    },
    codec: { endpoint: settings.codecEndpoint, passAccessToken: true, includeCredentials: false },
  };
  writeFileSync(path.join(dir, 'config', 'test.yaml'), JSON.stringify(config, null, 2));
  const child = spawn(executable, ['--root', dir, '--config', 'config', '--env', 'test', 'start'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`the Temporal UI server exited: ${errors}`);
    const answer = await fetch(`${origin}/healthz`);
    if (!answer.ok) throw new Error(`the Temporal UI server answered ${answer.status}`);
  });
  return {
    origin,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
