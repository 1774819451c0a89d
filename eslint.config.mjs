// typescript-eslint's recommended rules with type information, as in Temporal's samples: floating promises are
// errors (a forgotten await on an activity or a signal), and workflow code may not import Node builtins.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

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
  {
    // Workflow code runs in Temporal's deterministic sandbox; so does everything it imports from domain/.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    // The webhook parser hashes payloads for event keys; it runs in the API only, never in a workflow.
    ignores: ['domain/conversation/freshchat-payload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in the sandbox: no Node builtins' })),
          patterns: [{ group: ['**/workflows/*'], message: 'workflows/ is the top: domain/ imports nothing above it' }],
        },
      ],
    },
  },
  {
    // A lean workflow bundle: validation and business-hours arithmetic run in activities.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in the sandbox: no Node builtins' })),
            { name: 'zod', message: 'validation runs in activities and the API, not in workflow code' },
            { name: 'luxon', message: 'business-hours arithmetic runs in activities, not in workflow code' },
          ],
        },
      ],
    },
  },
  {
    // Arrows point down: workflows orchestrate; nothing below them imports them (signals and types included).
    files: ['activities/**/*.ts', 'use-cases/**/*.ts', 'stores/**/*.ts', 'clients/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/workflows/*'], message: 'workflows/ is the top' }] },
      ],
    },
  },
);
