import fc from 'fast-check';

/**
 * Request bodies nobody should send: random bytes, invalid UTF-8, truncated or padded JSON, wrong types,
 * deep nesting and huge strings. Built from a valid example so they stay close to what a parser expects.
 */
export function hostileBodies(validExample: string, limitBytes: number): fc.Arbitrary<Buffer> {
  const json = JSON.parse(validExample) as Record<string, unknown>;
  // Compact, so that every proper prefix is invalid JSON (a pretty file's prefix may end at a closing brace).
  const valid = Buffer.from(JSON.stringify(json));
  const keys = Object.keys(json);
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
    fc.nat(valid.length - 1).map((n) => valid.subarray(0, n)),
    fc
      .nat(valid.length - 1)
      .map((n) => Buffer.concat([valid.subarray(0, n), Buffer.from([0xff, 0xfe]), valid.subarray(n)])),
    fc
      .jsonValue()
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc
      .record({ key: fc.constantFrom(...keys), value: wrongValue })
      .map(({ key, value }) => Buffer.from(JSON.stringify({ ...json, [key]: value }))),
    fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) => Buffer.from(`{"${keys[0]}":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
    fc.constant(Buffer.from(JSON.stringify({ ...json, [keys[0]!]: 'x'.repeat(limitBytes) }))),
  );
}

const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: false }),
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.anything(), { maxKeys: 3 }),
  fc.string({ minLength: 5000, maxLength: 6000 }),
);

/** Every answer to bad input: a 4xx whose JSON body names the problem. */
export function expectClearRefusal(status: number, body: unknown): void {
  if (status < 400 || status >= 500) throw new Error(`expected a 4xx, got ${status}: ${JSON.stringify(body)}`);
  const error = body as { error?: unknown; message?: unknown } | null;
  if (typeof error?.error !== 'string' || typeof error?.message !== 'string' || error.message === '') {
    throw new Error(`expected a JSON error body, got ${JSON.stringify(body)}`);
  }
}
