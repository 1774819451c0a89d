import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The mobile app's client is a package of its own, typed by the API's schemas, with no server code in it. */

const root = path.join(__dirname, '..', '..');
const folder = path.join(root, 'app-client');
const sources = readdirSync(folder).filter((f) => f.endsWith('.ts'));

test('the client is a package folder of its own with an entry point and types', () => {
  const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({
    name: '@support-led-ordering/app-client',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
  });
  expect(pkg.dependencies ?? {}).toEqual({});
});

test('it imports nothing outside its folder', () => {
  const imports = sources.flatMap((file) =>
    [...readFileSync(path.join(folder, file), 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => `${file}: ${m[1]}`),
  );
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((i) => !/: \.\/[\w-]+$/.test(i))).toEqual([]);
});

test('its types are the ones generated from the served OpenAPI document, and it compiles on its own', () => {
  const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  expect(() =>
    run([path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/app-client-types.ts', '--check']),
  ).not.toThrow();
  expect(() =>
    run([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'app-client/tsconfig.json', '--noEmit']),
  ).not.toThrow();
}, 60_000);
