import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'dotenv';
import { loadConfig } from '../../infra/config';

const root = path.join(__dirname, '..', '..');
const SECRETS = [
  'FRESHCHAT_WEBHOOK_SECRET',
  'APP_JWT_SECRET',
  'ADMIN_API_TOKEN',
  'ORDERS_WEBHOOK_SECRET',
  'OUTBOUND_EVENTS_SECRET',
  'TEMPORAL_PAYLOAD_KEYS',
];

test('.env.example ships no secret', () => {
  const example = parse(readFileSync(path.join(root, '.env.example')));
  for (const name of [...SECRETS, 'FRESHCHAT_API_TOKEN', 'FRESHCHAT_JWT_PRIVATE_KEY']) expect(example[name]).toBe('');
});

test('the start script fills every secret with a fresh random value that production accepts, once', () => {
  const generate = (file: string) =>
    execFileSync('bash', [path.join(root, 'scripts/ensure-secrets.sh'), file], { encoding: 'utf8' });
  const envOf = (dir: string) => {
    const file = path.join(dir, '.env');
    copyFileSync(path.join(root, '.env.example'), file);
    expect(generate(file)).toMatch(/generated FRESHCHAT_WEBHOOK_SECRET, .*APP_JWT_SECRET.* in .*\.env/);
    expect(generate(file)).toBe(''); // values already set are kept
    expect(statSync(file).mode & 0o077).toBe(0); // readable by its owner only
    return parse(readFileSync(file));
  };
  const first = envOf(mkdtempSync(path.join(tmpdir(), 'slo-env-')));
  const second = envOf(mkdtempSync(path.join(tmpdir(), 'slo-env-')));
  for (const name of SECRETS) expect(first[name]).not.toBe(second[name]);
  expect(() => loadConfig({ ...first, NODE_ENV: 'production' })).not.toThrow();
});

test('docker compose publishes only the API; Temporal frontend and UI listen on 127.0.0.1', () => {
  const published: Record<string, string[]> = {};
  let service = '';
  for (const line of readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').split('\n')) {
    const header = /^ {2}([a-z-]+):\s*$/.exec(line);
    if (header) service = header[1]!;
    const ports = /^\s+ports:\s*\[(.*)\]/.exec(line);
    if (ports) published[service] = ports[1]!.split(',').map((p) => p.trim().replace(/['"]/g, ''));
  }
  expect(published.temporal).toEqual(['127.0.0.1:7233:7233']);
  expect(published['temporal-ui']).toEqual(['127.0.0.1:8233:8080']);
  const onEveryInterface = Object.entries(published).filter(([, ports]) =>
    ports.some((p) => !p.startsWith('127.0.0.1:')),
  );
  expect(onEveryInterface.map(([name]) => name)).toEqual(['api']);
});
