import { condition, defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { MinimalActivities } from './minimal-activities';

/**
 * The benchmark's ceiling for a workflow on this worker: one signal, one local activity that inserts one row, then
 * waiting (with a timer, as a conversation waits for silence). Bundled by the benchmark only.
 */
export const minimalSignal = defineSignal<[string]>('minimal');

const { insertMinimalRow } = proxyLocalActivities<MinimalActivities>({ startToCloseTimeout: '30 seconds' });

export async function minimalWorkflow(input: { silenceTimeoutMs: number }): Promise<void> {
  const received: string[] = [];
  setHandler(minimalSignal, (id) => void received.push(id));
  await condition(() => received.length > 0);
  await insertMinimalRow(received.shift()!);
  await condition(() => received.length > 0, input.silenceTimeoutMs);
}
