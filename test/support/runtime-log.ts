import { Writable } from 'node:stream';

const lines: string[] = [];

/**
 * Where the Temporal SDK's logger writes in tests (test/support/quiet-runtime.ts): stderr, as in production, and kept
 * so a test can read what the worker and its workflows logged.
 */
export const runtimeLogDestination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    process.stderr.write(chunk);
    done();
  },
});

/** Every line the SDK's logger wrote in this test file so far. */
export const runtimeLogLines = (): readonly string[] => lines;
