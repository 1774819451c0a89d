import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const start = (entry: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), entry], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DOTENV_CONFIG_PATH: '/nonexistent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

test('the API refuses to start on malformed configuration and names each variable', () => {
  const run = start('api/server.ts', { PORT: 'eighty', REDIS_URL: 'not a url', FRESHCHAT_WEBHOOK_SECRET: 's' });
  expect(run.status).toBe(1);
  expect(run.stdout + run.stderr).toMatch(/PORT/);
  expect(run.stdout + run.stderr).toMatch(/REDIS_URL/);
});

test('the API refuses to start without any webhook verification scheme', () => {
  const run = start('api/server.ts', { PORT: '0' });
  expect(run.status).toBe(1);
  expect(run.stdout + run.stderr).toMatch(/FRESHCHAT_WEBHOOK_SECRET or FRESHCHAT_WEBHOOK_PUBLIC_KEY/);
});

test('in production, the API and the worker refuse development and short secrets, naming each variable', () => {
  const env = {
    NODE_ENV: 'production',
    FRESHCHAT_WEBHOOK_SECRET: 'dev-only-change-me',
    APP_JWT_SECRET: 'dev-only-app-jwt-secret-change-me',
    ADMIN_API_TOKEN: 'short',
  };
  for (const entry of ['api/server.ts', 'worker.ts']) {
    const run = start(entry, env);
    const output = run.stdout + run.stderr;
    expect(run.status).toBe(1);
    expect(output).toMatch(/APP_JWT_SECRET: a development value/);
    expect(output).toMatch(/ADMIN_API_TOKEN: shorter than 32 bytes/);
    expect(output).toMatch(/ORDERS_WEBHOOK_SECRET: missing/);
    expect(output).toMatch(/TEMPORAL_PAYLOAD_KEYS: missing/);
    expect(output).toMatch(/FRESHCHAT_WEBHOOK_SECRET: a development value/);
  }
});
