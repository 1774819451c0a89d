import type { BundleOptions } from '@temporalio/worker';

/**
 * How the workflow bundle is built, by the worker at start and by every script that bundles `workflows/` ahead.
 *
 * With `reuseV8Context` (the SDK's default) each new workflow evaluates its own copy of every module it imports that
 * the SDK's bootstrap did not load: the module's top-level code runs, and its objects are held, once per open
 * workflow. Preloaded modules are evaluated once per worker and shared (their exports frozen) by every workflow, so
 * only modules that keep no state of their own may be listed: `@temporalio/workflow`'s entry point (its functions
 * find the current workflow when called) and the pure `domain/` modules that workflows import. `workflows/` itself
 * stays per workflow. A domain module imported by a workflow and missing here still works, evaluated per workflow;
 * test/workflows/workflow-bundle.test.ts names it.
 */
export const SHARED_WORKFLOW_MODULES = [
  '@temporalio/workflow',
  ...[
    'conversation/conversation-changes',
    'conversation/conversation-state',
    'conversation/record-values',
    'conversation/search-attributes',
    'reconciliation/reconciliation-pass',
    'reports/iso-week',
    'reports/weekly-report-run',
  ].map((module) => require.resolve(`../domain/${module}`)),
];

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** What Node 24 runs natively: workflow code keeps its object spreads and optional chains, not helper calls. */
const WORKFLOW_CODE_TARGET = 'es2022';

/**
 * The SDK compiles workflow TypeScript for ES2017, so each object spread becomes a helper call; the workflow thread
 * runs every workflow's code, and these calls were a visible share of a conversation's step there.
 */
function compiledForNode(config: WebpackConfig): WebpackConfig {
  for (const rule of config.module?.rules ?? []) {
    const use = rule && typeof rule === 'object' ? rule.use : undefined;
    if (!use || typeof use !== 'object' || Array.isArray(use) || !String(use.loader).includes('swc-loader')) continue;
    const options = use.options as { jsc?: { target?: string } };
    if (options.jsc) options.jsc.target = WORKFLOW_CODE_TARGET;
  }
  return config;
}

export const WORKFLOW_BUNDLE_OPTIONS = { preloadModules: SHARED_WORKFLOW_MODULES, webpackConfigHook: compiledForNode };
