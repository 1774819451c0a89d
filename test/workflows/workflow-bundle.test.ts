import { readFileSync } from 'node:fs';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';

/**
 * What each new workflow evaluates for itself in the shared V8 context (the SDK's reusable context, driven here
 * directly): only `workflows/`, everything else it imports is preloaded once per worker (infra/workflow-bundle.ts).
 * Reads the SDK's per-workflow module cache, an internal of @temporalio/worker 1.24.
 */
test('a new workflow evaluates only workflows/ modules of its own', async () => {
  const path = process.env.TEST_WORKFLOW_BUNDLE!;
  const creator = await ReusableVMWorkflowCreator.create(
    parseWorkflowCode(readFileSync(path, 'utf8'), path),
    5_000,
    new Set<string>(),
  );
  try {
    const ownModules = await Promise.all(
      ['a', 'b'].map(async (id) => {
        const workflow = await creator.createWorkflow({
          info: workflowInfo(conversationWorkflowId(`bundle-${id}`), `run-${id}`),
          randomnessSeed: [1, 2],
          now: Date.now(),
          showStackTraceSources: false,
        } as never);
        const modules = [
          ...(workflow as unknown as { activator: { moduleCache: Map<string, unknown> } }).activator.moduleCache.keys(),
        ];
        await workflow.dispose();
        return modules;
      }),
    );
    for (const modules of ownModules) {
      expect(modules).toContain('./workflows/conversation-workflow.ts');
      // webpack's stand-ins for the SDK's optional custom converters are per workflow too, and empty.
      expect(modules.filter((m) => !m.startsWith('./workflows/') && !m.startsWith('?'))).toEqual([]);
    }
  } finally {
    await creator.destroy();
  }
});

test('workflow code is compiled for the Node it runs on: object spreads stay spreads, not helper calls', () => {
  const code = readFileSync(process.env.TEST_WORKFLOW_BUNDLE!, 'utf8');
  expect(code).toContain('./workflows/conversation-workflow.ts');
  expect(code).not.toMatch(/function _object_spread\(/);
});

const workflowInfo = (workflowId: string, runId: string) => ({
  workflowType: 'conversationWorkflow',
  workflowId,
  runId,
  firstExecutionRunId: runId,
  taskQueue: 'bundle-test',
  namespace: 'default',
  attempt: 1,
  historyLength: 3,
  historySize: 0,
  continueAsNewSuggested: false,
  startTime: new Date(),
  runStartTime: new Date(),
  searchAttributes: {},
  typedSearchAttributes: [],
  memo: {},
  unsafe: { isReplaying: false, now: Date.now },
  priority: {},
});
