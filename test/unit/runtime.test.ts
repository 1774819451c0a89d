import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

test('the suite runs on Node 24 (scripts/node24.sh picks it even where the machine has an older node)', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
});

test('engines, .nvmrc, the Docker image and every entry script agree on Node 24', () => {
  expect(JSON.parse(read('package.json')).engines.node).toBe('>=24');
  expect(read('.nvmrc').trim()).toBe('24');
  expect(read('Dockerfile').match(/^FROM node:(\d+)/gm)).toEqual(['FROM node:24', 'FROM node:24']);
  for (const script of ['scripts/test.sh', 'scripts/up.sh', '.ci/run'])
    expect(read(script)).toContain('. scripts/node24.sh');
});
