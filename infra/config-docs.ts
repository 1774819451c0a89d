import { OTHER_READERS, SETTINGS, type Section, type Setting } from './config';

/**
 * `.env.example` and docs/configuration.md, written from the schema (infra/config.ts) by `npm run config:docs`;
 * test/unit/config-docs.test.ts fails when the committed files differ from what this renders.
 */

const GENERATED = 'Generated from infra/config.ts by `npm run config:docs`: edit the schema, not this file.';

/** Shown as is by a shell and by dotenv; anything else is single-quoted, which both read verbatim. */
const PLAIN = /^[A-Za-z0-9_.,:/@%+=-]*$/;

export function envValue(value: string): string {
  if (PLAIN.test(value)) return value;
  if (value.includes("'")) throw new Error(`a setting's value cannot hold a single quote: ${value}`);
  return `'${value}'`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

const comment = (text: string) => wrap(text, 116).map((l) => `# ${l}`);

/** The settings in order, each section once, the server's first. */
function sections(): Array<[Section, Array<[string, Setting]>]> {
  const grouped = new Map<Section, Array<[string, Setting]>>();
  for (const entry of Object.entries({ ...SETTINGS, ...OTHER_READERS }) as Array<[string, Setting]>) {
    grouped.set(entry[1].section, [...(grouped.get(entry[1].section) ?? []), entry]);
  }
  return [...grouped];
}

export function renderEnvExample(): string {
  const out = [
    ...comment(
      'Copy to .env (scripts/up.sh does it for you on first start, and fills every empty secret below with a random ' +
        'value). No secret is shipped here: production refuses missing, dev-only-* and short (< 32 bytes) secrets.',
    ),
    ...comment(
      'Every variable is validated at start-up; docs/configuration.md lists each with its default and format. ' +
        'Exported environment variables override this file, and an empty value means unset (the default applies).',
    ),
    ...comment(GENERATED),
  ];
  for (const [section, settings] of sections()) {
    const shown = settings.filter(([, s]) => s.envFile !== false);
    if (shown.length === 0) continue;
    out.push('', `# --- ${section.title}`, ...(section.notes ?? []).map((n) => `# ${n}`));
    for (const [name, s] of shown) out.push(...comment(s.doc), `${name}=${envValue(s.example ?? s.default ?? '')}`);
  }
  return `${out.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultCell(s: Setting): string {
  const value = s.default ? `\`${s.default}\`` : 'unset';
  return s.example && s.example !== s.default ? `${value} (\`.env.example\`: \`${s.example}\`)` : value;
}

export function renderConfigurationPage(): string {
  const out = [
    '# Configuration',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    'Every variable the API and the worker read, with its default and format. `infra/config.ts` validates each at',
    'start-up: a malformed value stops the process naming the variable and the format it expects, and an empty',
    'value (`FOO=`) means unset, so the default applies. Durations take a unit (`500ms`, `30s`, `15m`, `24h`, `7d`);',
    'sizes too (`512b`, `64kb`, `1mb`; 1 kb = 1024 b), so `1m` or a bare `65536` is refused rather than read as bytes.',
    '`.env.example` lists the same variables with the same defaults (docs/operations.md: how `.env` is read).',
  ];
  for (const [section, settings] of sections()) {
    out.push('', `## ${section.title}`, '');
    if (section.readBy) out.push(`Read by ${section.readBy} from the same \`.env\`.`, '');
    if (section.notes) out.push(section.notes.join(' '), '');
    out.push('| variable | default | format | meaning |', '|---|---|---|---|');
    for (const [name, s] of settings)
      out.push(`| \`${name}\` | ${cell(defaultCell(s))} | ${cell(s.format.text)} | ${cell(s.doc)} |`);
  }
  return `${out.join('\n')}\n`;
}
