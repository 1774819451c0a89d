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

export const WORKFLOW_BUNDLE_OPTIONS = { preloadModules: SHARED_WORKFLOW_MODULES };
