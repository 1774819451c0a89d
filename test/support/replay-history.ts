/**
 * Replays recorded workflow histories (binary protobuf, `temporal.api.history.v1.History`) against a workflow
 * bundle, outside jest. Binary rather than JSON: decoding JSON histories goes through a second protobufjs copy in
 * this install and fails ("type must be a Type").
 *   tsx test/support/replay-history.ts <bundle.js> <history.pb> <workflowId>
 *     exit 0 and `replayed <n> events` on success; otherwise exit 1 and the error on stderr.
 *   tsx test/support/replay-history.ts <bundle.js> --each <history.pb> <workflowId> [<history.pb> <workflowId> …]
 *     one replay worker for all; a line `<workflowId>: replayed <n> events` or `<workflowId>: <error>` for each,
 *     exit 1 when any failed.
 */
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

// A bundle built with the tracing module (infra/tracing.ts) hands workflow spans to this sink; replay drops them.
const sinks = { exporter: { export: { fn: () => undefined } } };
const decode = (file: string) => temporal.api.history.v1.History.decode(readFileSync(file));

async function main(): Promise<void> {
  const [codePath, ...rest] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = { codePath: codePath! };
  if (rest[0] !== '--each') {
    const [historyPath, workflowId] = rest;
    const history = decode(historyPath!);
    await Worker.runReplayHistory({ workflowBundle, sinks }, history, workflowId);
    console.log(`replayed ${history.events.length} events`);
    return;
  }
  const items = [];
  for (let i = 1; i + 1 < rest.length; i += 2) items.push({ history: decode(rest[i]!), workflowId: rest[i + 1]! });
  const events = new Map(items.map((item) => [item.workflowId, item.history.events.length]));
  let failed = false;
  for await (const result of Worker.runReplayHistories({ workflowBundle, sinks }, items)) {
    failed ||= Boolean(result.error);
    const verdict = result.error
      ? `${result.error.name}: ${result.error.message}`
      : `replayed ${events.get(result.workflowId)} events`;
    console.log(`${result.workflowId}: ${verdict.replace(/\n/g, ' ')}`);
  }
  if (failed) process.exit(1);
}

main().catch((error) => {
  console.error(`${error?.name}: ${error?.message}`);
  process.exit(1);
});
