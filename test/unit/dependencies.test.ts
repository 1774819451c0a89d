import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The dependency rules of package.json: the Temporal SDK at the version patches/ fits, a patch that fails the install. */

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const patchFiles = readdirSync(path.join(root, 'patches')).filter((f) => f.endsWith('.patch'));

test('every patched package is pinned to exactly the version its patch was made for, and installed at it', () => {
  expect(patchFiles.length).toBeGreaterThan(0);
  for (const file of patchFiles) {
    const [, name, version] = /^(.+)\+(\d+\.\d+\.\d+)\.patch$/.exec(file)!;
    const pkg = name!.replace('+', '/');
    expect({ pkg, range: manifest.dependencies[pkg] ?? manifest.devDependencies[pkg] }).toEqual({
      pkg,
      range: version,
    });
    const installed = JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8'));
    expect(installed.version).toBe(version);
  }
});

test('the Temporal SDK packages are pinned to one exact version', () => {
  const temporal = Object.entries<string>({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([name]) =>
    name.startsWith('@temporalio/'),
  );
  expect(temporal.length).toBeGreaterThanOrEqual(8);
  expect(new Set(temporal.map(([, range]) => range))).toEqual(new Set(['1.24.0']));
});

test('type packages are development dependencies, and only for packages that ship no types of their own', () => {
  expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@types/'))).toEqual([]);
  const typed = Object.keys(manifest.devDependencies)
    .filter((name) => name.startsWith('@types/') && name !== '@types/node' && name !== '@types/jest')
    .map((name) => name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2'))
    .filter((pkg) => {
      const own = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [root] }), 'utf8'));
      return Boolean(own.types ?? own.typings);
    });
  expect(typed).toEqual([]);
});

describe('an install whose patch does not apply fails, on CI or not', () => {
  /** A project with one installed package and a patch that no longer fits it; patch-package run as postinstall runs it. */
  function projectWithStalePatch() {
    const dir = mkdtempSync(path.join(tmpdir(), 'stale-patch-'));
    mkdirSync(path.join(dir, 'node_modules', 'left-pad'), { recursive: true });
    mkdirSync(path.join(dir, 'patches'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', dependencies: { 'left-pad': '1.0.0' } }));
    writeFileSync(
      path.join(dir, 'node_modules', 'left-pad', 'package.json'),
      JSON.stringify({ name: 'left-pad', version: '1.0.0' }),
    );
    writeFileSync(path.join(dir, 'node_modules', 'left-pad', 'index.js'), 'module.exports = "changed upstream";\n');
    writeFileSync(
      path.join(dir, 'patches', 'left-pad+1.0.0.patch'),
      [
        'diff --git a/node_modules/left-pad/index.js b/node_modules/left-pad/index.js',
        '--- a/node_modules/left-pad/index.js',
        '+++ b/node_modules/left-pad/index.js',
        '@@ -1 +1 @@',
        '-module.exports = "as the patch knew it";',
        '+module.exports = "patched";',
        '',
      ].join('\n'),
    );
    return dir;
  }
  const postinstall = (args: string[]) => {
    const [command, ...rest] = args;
    expect(command).toBe('patch-package');
    const bin = path.join(root, 'node_modules', 'patch-package', 'index.js');
    // Neither CI nor a test run: patch-package turns the failure into an error by itself there.
    const env = { ...process.env, CI: '', NODE_ENV: 'development', GITHUB_ACTIONS: '' };
    return spawnSync(process.execPath, [bin, ...rest], { cwd: projectWithStalePatch(), env, encoding: 'utf8' });
  };

  test("package.json's postinstall exits non-zero", () => {
    const run = postinstall(manifest.scripts.postinstall.split(' '));
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('left-pad');
  });

  test('without --error-on-fail the same install would pass (the flag is what fails it)', () => {
    const run = postinstall(['patch-package']);
    expect(run.status).toBe(0);
  });
});
