import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Runs scripts/print-settings.ts as up.sh does, with `dotenv` lines in a .env file and `exported` in the environment. */
function printSettings(dotenv: string, exported: Record<string, string>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'slo-env-')), '.env');
  writeFileSync(file, dotenv);
  const env = { PATH: process.env.PATH, DOTENV_CONFIG_PATH: file, ...exported };
  return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-settings.ts'], {
    cwd: ROOT,
    env,
  }).toString();
}

test('an exported variable overrides .env; .env fills the rest', () => {
  const out = printSettings('PORT=5000\nTEMPORAL_TASK_QUEUE=queue-from-file\n', { PORT: '4001' });
  expect(out.trim()).toBe('4001 127.0.0.1:7233 default queue-from-file');
});

test('.env values are read verbatim: $, quotes and # survive', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'slo-env-')), '.env');
  writeFileSync(file, `FRESHCHAT_WEBHOOK_SECRET='pa$$word "with" quotes # not a comment'\n`);
  const script =
    "require('dotenv/config'); process.stdout.write(require('./infra/settings').loadSettings().webhook.secret)";
  const env = { PATH: process.env.PATH, DOTENV_CONFIG_PATH: file };
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env }).toString();
  expect(out).toBe('pa$$word "with" quotes # not a comment');
});

test('a malformed .env stops the start naming the variable and its format', () => {
  let stderr = '';
  try {
    printSettings('WEBHOOK_BODY_LIMIT=1m\n', {});
  } catch (error) {
    stderr = String((error as { stderr: Buffer }).stderr);
  }
  expect(stderr).toContain('WEBHOOK_BODY_LIMIT: expected a size with its unit');
});

test('scripts/up.sh never sources .env as shell', () => {
  const upSh = readFileSync(path.join(ROOT, 'scripts', 'up.sh'), 'utf8');
  expect(upSh).not.toMatch(/^[^#\n]*(^|\s|;)(\.|source)\s+\S*\.env\b/m);
  expect(upSh).toContain('node dist/scripts/print-settings.js');
});
