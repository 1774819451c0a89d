/**
 * How long each change waited to be taken up: from its time to the first sync (or computation) that started at or
 * after it; Infinity when none did. Times in epoch ms, as recorded by the test and its fakes.
 */
export const waitsOf = (changes: number[], syncs: number[]): number[] =>
  changes.map((change) => {
    const next = syncs.find((at) => at >= change);
    return next === undefined ? Infinity : next - change;
  });
