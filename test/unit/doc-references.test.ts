import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

// Code may cite only what a reader can open: docs/<file>.md (and docs/decisions.md #N), never documents outside the
// repo or project history (the product requirements by section, Freshchat decisions by number, issue numbers).
const root = path.resolve(__dirname, '..', '..');
const SKIPPED = new Set(['node_modules', '.git', '.tools', '.run', '.data', 'dist', 'docs', 'migrations', 'fixtures']);
const SOURCE = /\.(ts|js|mjs|sh|yml|yaml)$|^\.env\.example$|^Dockerfile$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourceFiles(full);
    return SOURCE.test(entry.name) && full !== __filename ? [full] : [];
  });
}

const lines = sourceFiles(root).flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ where: `${path.relative(root, file)}:${i + 1}`, text })),
);
const decisions = new Set(
  [...readFileSync(path.join(root, 'docs', 'decisions.md'), 'utf8').matchAll(/^### (\d+)\./gm)].map((m) => m[1]),
);

test('no citation of documents outside the repo or of project history', () => {
  const outside = /\bPRD\b|[Ff]reshchat decision \d|\b[Dd]ecision \d|\b[Ii]ssue \d/;
  const found = lines.filter((l) => outside.test(l.text)).map((l) => `${l.where}: ${l.text.trim()}`);
  expect(found).toEqual([]);
});

test('every docs/ file and decision number cited in code exists', () => {
  const broken: string[] = [];
  for (const { where, text } of lines)
    for (const [, file, numbers] of text.matchAll(/docs\/([\w-]+\.md)((?:\s*#\d+)(?:,\s*#\d+)*)?/g)) {
      if (!existsSync(path.join(root, 'docs', file!))) broken.push(`${where}: docs/${file} does not exist`);
      for (const [, n] of (numbers ?? '').matchAll(/#(\d+)/g))
        if (file !== 'decisions.md' || !decisions.has(n!)) broken.push(`${where}: docs/${file} #${n} does not exist`);
    }
  expect(broken).toEqual([]);
});
