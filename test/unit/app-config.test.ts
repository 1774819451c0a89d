import { readFileSync } from 'node:fs';
import path from 'node:path';
import { channelRules, frictionSettings } from '../../api/app-routes';
import { contextSyncSettings } from '../../api/context-sync-gateway';
import { ConfigError, loadConfig } from '../../infra/config';

const APP_API_VARIABLES = [
  'USER_CONTEXT_TTL',
  'HELP_OFFER_WINDOW',
  'CHANNEL_LOW_THRESHOLD',
  'CHANNEL_HIGH_THRESHOLD',
  'HIGH_IMPORTANCE_EVENTS',
  'CONTEXT_SYNC_QUIET_PERIOD',
  'CONTEXT_SYNC_MAX_DELAY',
  'CONTEXT_SYNC_IDLE_TIMEOUT',
  'API_BODY_LIMIT',
];

test('app API defaults: 24 h context, 15 min help window, ₹5,000 / ₹25,000, three events, 2 s / 10 s / 30 min sync', () => {
  const config = loadConfig({});
  expect([config.USER_CONTEXT_TTL, config.HELP_OFFER_WINDOW]).toEqual([86_400_000, 900_000]);
  expect(channelRules(config)).toEqual({
    enabled: true,
    lowThreshold: 5000,
    highThreshold: 25000,
    highImportanceEvents: ['WEDDING', 'CORPORATE', 'RELIGIOUS'],
  });
  expect(frictionSettings(config)).toEqual({
    enabled: true,
    highImportanceEvents: ['WEDDING', 'CORPORATE', 'RELIGIOUS'],
  });
  expect(contextSyncSettings(config)).toEqual({
    quietPeriodMs: 2000,
    maxDelayMs: 10_000,
    idleTimeoutMs: 1_800_000,
    historyLimit: 2000,
  });
});

test('both feature flags come from the environment', () => {
  const config = loadConfig({ FRICTION_DETECTION_ENABLED: 'false', CHANNEL_ROUTING_ENABLED: '0' });
  expect(frictionSettings(config).enabled).toBe(false);
  expect(channelRules(config).enabled).toBe(false);
});

test('malformed values are named; thresholds must be ordered', () => {
  expect(() => loadConfig({ USER_CONTEXT_TTL: 'a day', CHANNEL_LOW_THRESHOLD: '-5' })).toThrow(
    /USER_CONTEXT_TTL[\s\S]*CHANNEL_LOW_THRESHOLD|CHANNEL_LOW_THRESHOLD[\s\S]*USER_CONTEXT_TTL/,
  );
  expect(() => channelRules(loadConfig({ CHANNEL_LOW_THRESHOLD: '30000' }))).toThrow(ConfigError);
});

test('.env.example and docker-compose carry every app API variable', () => {
  const root = path.join(__dirname, '..', '..');
  const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  for (const name of APP_API_VARIABLES) {
    expect(compose).toContain(`${name}:`);
    expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  }
});
