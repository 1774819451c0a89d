import type { Context } from '@temporalio/activity';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * What a fault does to one activity attempt: run it and lose its result, fail it before it runs, or run it on
 * altered input (a value that slipped past validation, to reach PostgreSQL's own refusal).
 */
export type Fault =
  | { kind: 'lose-result' }
  | { kind: 'kill-after-commit' }
  | { kind: 'fail'; error: Error }
  | { kind: 'alter-input'; alter: (args: unknown[]) => unknown[] };

export interface AttemptInfo {
  type: string;
  args: unknown[];
  attempt: number;
  isLocal: boolean;
}

/** Decides, per attempt, whether a fault hits it. */
export type FaultRule = (attempt: AttemptInfo) => Fault | undefined;

/**
 * Faults at the activity boundary of a real worker: a result lost after the step committed (as when the connection
 * drops after COMMIT, the local activity times out while the statement still commits, or the worker dies before the
 * workflow task completes), or a failure before it runs. Every other attempt runs untouched.
 */
export class ActivityFaults {
  private readonly rules: FaultRule[] = [];
  lostResults = 0;
  failures = 0;

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  interceptors(): NonNullable<WorkerOptions['interceptors']> {
    return {
      activity: [
        (ctx: Context) => ({
          inbound: {
            execute: async (input, next) => {
              const info = ctx.info;
              const attempt = {
                type: info.activityType,
                args: input.args,
                attempt: info.attempt,
                isLocal: info.isLocal,
              };
              const fault = this.rules.map((rule) => rule(attempt)).find(Boolean);
              if (fault?.kind === 'fail') {
                this.failures++;
                throw fault.error;
              }
              const args = fault?.kind === 'alter-input' ? fault.alter(structuredClone(input.args)) : input.args;
              const result: unknown = await next({ ...input, args });
              // SIGKILL between the commit and the workflow task's completion: the result never reaches the history.
              if (fault?.kind === 'kill-after-commit') process.kill(process.pid, 'SIGKILL');
              if (fault?.kind === 'lose-result') {
                this.lostResults++;
                throw new Error(`fault injected: the result of ${info.activityType} was lost after it committed`);
              }
              return result;
            },
          },
        }),
      ],
    };
  }
}
