// typescript-eslint's recommended rules with type information, as in Temporal's samples: floating promises are
// errors (a forgotten await on an activity or a signal), and workflow code may not import Node builtins.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);
const sandboxed = nodeBuiltins.map((name) => ({
  name,
  message: 'workflow code runs in the sandbox: no Node builtins',
}));

/**
 * Arrows point down (docs/architecture.md): each folder may import only the folders below it. An import of a folder
 * above fails lint. Listed from the top; a folder's own files and its subfolders are always allowed.
 */
const LAYERS = {
  bench: ['api', 'gateways', 'workflows', 'activities', 'clients', 'stores', 'infra', 'domain', 'worker'],
  scripts: ['api', 'gateways', 'activities', 'clients', 'stores', 'infra', 'domain'],
  'worker.ts': ['gateways', 'activities', 'clients', 'stores', 'infra', 'domain'],
  api: ['gateways', 'clients', 'stores', 'infra', 'domain'],
  gateways: ['workflows', 'clients', 'stores', 'infra', 'domain'],
  workflows: ['domain'],
  activities: ['clients', 'stores', 'infra', 'domain'],
  // Outbound calls only: the database is the stores' (activities put the two together).
  clients: ['infra', 'domain'],
  stores: ['infra', 'domain'],
  infra: ['domain'],
  domain: [],
  'app-client': [],
};
const FOLDERS = [
  'bench',
  'scripts',
  'worker',
  'api',
  'gateways',
  'workflows',
  'activities',
  'clients',
  'stores',
  'infra',
  'domain',
  'app-client',
  'test',
];

/** A relative import of the folder (or of worker.ts), never a package's path that happens to hold the word. */
const relativeTo = (folder) => (folder === 'worker' ? '^(\\.\\.?/)+worker$' : `^(\\.\\.?/)+${folder}(/|$)`);

function boundaries() {
  return Object.entries(LAYERS).flatMap(([layer, below]) => {
    const self = layer.replace(/\.ts$/, '');
    const typesOnly = layer === 'workflows' ? ['activities'] : [];
    const above = FOLDERS.filter((f) => f !== self && !below.includes(f) && !typesOnly.includes(f));
    const patterns = above.map((folder) => ({
      regex: relativeTo(folder),
      message: `${self}/ may import only ${below.join(', ') || 'itself'}: ${folder} is above it or beside it`,
    }));
    // Workflows import activity types only: the implementations run outside the sandbox.
    if (layer === 'workflows')
      patterns.push({
        regex: relativeTo('activities'),
        allowTypeImports: true,
        message: 'workflows import activity types only',
      });
    const paths =
      layer === 'workflows'
        ? [
            ...sandboxed,
            { name: 'zod', message: 'validation runs in activities and the API, not in workflow code' },
            { name: 'luxon', message: 'business-hours arithmetic runs in activities, not in workflow code' },
          ]
        : layer === 'domain'
          ? sandboxed
          : [];
    const files = [layer.endsWith('.ts') ? layer : `${layer}/**/*.{ts,tsx}`];
    const rule = (paths) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });
    if (layer !== 'domain') return [{ files, rules: rule(paths) }];
    // The webhook parser hashes payloads for event keys; it runs in the API only, never in a workflow.
    const parser = 'domain/conversation/freshchat-payload.ts';
    return [
      { files, ignores: [parser], rules: rule(paths) },
      { files: [parser], rules: rule([]) },
    ];
  });
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.run/**', '.data/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  ...boundaries(),
);
