import type { FaultRule } from './activity-faults';

export interface CommitBoundaryOptions {
  /** The activity types that commit a conversation's change. */
  steps: ReadonlySet<string>;
  /** Share of steps whose result is lost after they committed. */
  loseShare: number;
  /** Share of steps after which the process is SIGKILLed: one kill every 1/share steps, the first within 2/share. */
  killShare: number;
  /** Kills this process may still draw (the run caps them). */
  killsLeft: number;
  random: () => number;
}

/**
 * Faults at the commit boundary of the conversation's steps. Once a kill is due, every step draws it until one
 * commits: a step that fails before its commit (Freshchat refusing a lookup during a storm) never reaches the kill,
 * and a due kill drawn only once would be lost with it.
 */
export function commitBoundaryFaults(options: CommitBoundaryOptions): FaultRule {
  const { steps, loseShare, killShare, killsLeft, random } = options;
  let stepsUntilKill = killShare > 0 && killsLeft > 0 ? 1 + Math.floor(random() * (2 / killShare)) : Infinity;
  return ({ type }) => {
    if (!steps.has(type)) return undefined;
    if (--stepsUntilKill <= 0) return { kind: 'kill-after-commit' };
    return random() < loseShare ? { kind: 'lose-result' } : undefined;
  };
}
