import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { CONFIG_VARIABLES, loadConfig, OTHER_READERS, SETTINGS } from '../../infra/config';
import { envValue, renderConfigurationPage, renderEnvExample } from '../../infra/config-docs';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

test('.env.example and docs/configuration.md are what the schema renders (npm run config:docs)', () => {
  expect(read('.env.example')).toBe(renderEnvExample());
  expect(read('docs/configuration.md')).toBe(renderConfigurationPage());
});

test('every variable the server reads is in .env.example with its default, except those the environment sets', () => {
  const example = parse(read('.env.example'));
  for (const name of CONFIG_VARIABLES) {
    const setting = SETTINGS[name as keyof typeof SETTINGS];
    if (setting.envFile === false) expect(example[name]).toBeUndefined();
    else expect(example[name]).toBe(setting.example ?? setting.default ?? '');
    expect(setting.doc.length).toBeGreaterThan(10);
  }
  const others = Object.keys(example).filter((name) => !CONFIG_VARIABLES.includes(name));
  expect(others.sort()).toEqual(Object.keys(OTHER_READERS).sort());
});

test("each default is read by the schema's own format", () => {
  const defaults = Object.fromEntries(
    Object.entries(SETTINGS).flatMap(([name, s]) => (s.default === undefined ? [] : [[name, s.default]])),
  );
  expect(loadConfig(defaults)).toEqual(loadConfig({}));
  const examples = Object.fromEntries(
    Object.entries(SETTINGS).flatMap(([name, s]) => (s.example ? [[name, s.example]] : [])),
  );
  expect(() => loadConfig(examples)).not.toThrow();
});

test('a shell sources .env.example without a word of complaint, reading each value as dotenv does', () => {
  const sourced = spawnSync('bash', ['--norc', '--noprofile', '-c', 'set -a; . ./.env.example; env -0'], {
    cwd: root,
    env: {},
    encoding: 'utf8',
  });
  expect(sourced.stderr).toBe('');
  expect(sourced.status).toBe(0);
  const shell = Object.fromEntries(sourced.stdout.split('\0').map((entry) => entry.split(/=(.*)/s, 2)));
  const dotenv = parse(read('.env.example'));
  expect(Object.keys(dotenv).length).toBeGreaterThan(100);
  for (const [name, value] of Object.entries(dotenv)) expect([name, shell[name]]).toEqual([name, value]);
});

test('values with spaces or shell characters are quoted so both readers take them verbatim', () => {
  const values = ['openid email profile', 'Reports <reports@localhost>', 'a$b', 'x;y', '#z', 'plain-1.2:3/4,5'];
  const file = values.map((v, i) => `V${i}=${envValue(v)}`).join('\n');
  const shell = execFileSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `set -a; ${file.replace(/\n/g, '; ')}; printf '%s\\n' "$V0" "$V1" "$V2" "$V3" "$V4" "$V5"`,
    ],
    {
      encoding: 'utf8',
    },
  );
  expect(shell.split('\n').slice(0, values.length)).toEqual(values);
  expect(Object.values(parse(file))).toEqual(values);
  expect(() => envValue("it's")).toThrow(/single quote/);
});
