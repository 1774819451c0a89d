/**
 * How the workflow bundle is built, by the worker at start and by every script that bundles `workflows/` ahead.
 *
 * With `reuseV8Context` (the SDK's default) each new workflow evaluates its own copy of every module it imports that
 * the SDK's bootstrap did not load, so a module's top-level code runs, and its objects are held, once per open
 * workflow. Preloaded modules are evaluated once per worker and shared (frozen) by all workflows: only modules that
 * keep no workflow state may be listed. `@temporalio/workflow`'s public entry point keeps none (its functions find
 * the current workflow when called), and it pulls in the rest of the workflow API.
 */
export const WORKFLOW_BUNDLE_OPTIONS = {
  preloadModules: ['@temporalio/workflow'],
};
