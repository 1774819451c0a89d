import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../infra/config';
import { loadSettings } from '../../infra/settings';
import { loadSlaConfig } from '../../infra/sla-config';

const dir = mkdtempSync(path.join(tmpdir(), 'sla-config-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

test('the shipped policy and business-hours files load by default', () => {
  const { policies, hours } = loadSlaConfig(loadSettings({}).sla);
  expect(policies.policies.map((p) => p.name)).toEqual(['wedding-high-value', 'high-value', 'standard']);
  expect(hours.timeZone).toBe('Asia/Kolkata');
});

test('a broken file stops the start with every problem named, file by file', () => {
  const problems = problemsOf(() =>
    loadSlaConfig({
      policyFile: file('policies.json', JSON.stringify({ policies: [{ name: 'x', firstResponse: 'fast' }] })),
      businessHoursFile: file('hours.json', '{ "timeZone": '),
    }),
  );
  expect(problems).toHaveLength(2);
  expect(problems[0]).toMatch(/^SLA_POLICY_FILE \(.*policies\.json\): policies\.0\.firstResponse: expected a duration/);
  expect(problems[1]).toMatch(/^BUSINESS_HOURS_FILE \(.*hours\.json\): .*JSON/);
  expect(
    problemsOf(() =>
      loadSlaConfig({
        policyFile: path.join(dir, 'missing.json'),
        businessHoursFile: 'config/business-hours.json',
      }),
    )[0],
  ).toMatch(/SLA_POLICY_FILE .*ENOENT/);
});

test('outbound events need their signing secret', () => {
  expect(problemsOf(() => loadSettings({ OUTBOUND_EVENTS_URL: 'https://example.test/hooks' }))).toEqual([
    'OUTBOUND_EVENTS_SECRET: required when OUTBOUND_EVENTS_URL is set (every event is signed with it)',
  ]);
  expect(problemsOf(() => loadSettings({ OUTBOUND_EVENTS_URL: 'not a url', OUTBOUND_EVENTS_SECRET: 's' }))[0]).toMatch(
    /^OUTBOUND_EVENTS_URL/,
  );
});

test('.env.example documents the SLA variables', () => {
  const example = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');
  for (const name of ['SLA_POLICY_FILE', 'BUSINESS_HOURS_FILE', 'OUTBOUND_EVENTS_URL', 'OUTBOUND_EVENTS_SECRET']) {
    expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  }
});
