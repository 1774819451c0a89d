/**
 * Replays a recorded workflow history (binary protobuf, `temporal.api.history.v1.History`) against a workflow
 * bundle, outside jest. Binary rather than JSON: decoding JSON histories goes through a second protobufjs copy in
 * this install and fails ("type must be a Type"). Exit 0 on success; prints the error otherwise.
 *   tsx test/support/replay-history.ts <bundle.js> <history.pb> <workflowId>
 */
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const [codePath, historyPath, workflowId] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const history = temporal.api.history.v1.History.decode(readFileSync(historyPath!));
  // A bundle built with the tracing module (infra/tracing.ts) hands workflow spans to this sink; replay drops them.
  const sinks = { exporter: { export: { fn: () => undefined } } };
  await Worker.runReplayHistory({ workflowBundle: { codePath: codePath! }, sinks }, history, workflowId);
  console.log(`replayed ${history.events.length} events`);
}

main().catch((error) => {
  console.error(`${error?.name}: ${error?.message}`);
  process.exit(1);
});
