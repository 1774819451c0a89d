import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Subject } from 'rxjs';
import { mergeMapWithState } from '@temporalio/worker/lib/rxutils';

/**
 * The SDK runs each cached workflow's activations through `mergeMapWithState` (worker.js), keeping the workflow's
 * state between activations. Its accumulator held the last output as well: the activation's encoded completion, a
 * slice of Node's 64 KB buffer pool, so every open conversation kept a pool slab alive. The local patch of
 * @temporalio/worker (patches/) keeps only the state.
 */
test('between two activations of a workflow the SDK holds its state, not its last completion', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const activations = new Subject<string>();
  const states: string[] = [];
  let completion: WeakRef<Buffer> | undefined;
  const emitted = new Promise<void>((resolve) => {
    activations
      .pipe(
        mergeMapWithState(async (state: string | undefined, activation: string) => {
          states.push(state ?? 'none');
          const output = { completion: Buffer.from(`completion of ${activation}`) };
          completion ??= new WeakRef(output.completion);
          return { state: `after ${activation}`, output };
        }, undefined),
      )
      .subscribe(() => resolve());
  });
  activations.next('start');
  await emitted;
  // WeakRef targets live to the end of the job that read them: collect on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  expect(completion!.deref()).toBeUndefined();
  activations.next('signal');
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(states).toEqual(['none', 'after start']);
});
