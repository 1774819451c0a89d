const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

/** Parses "512b", "64kb", "1mb" (case-insensitive, 1 kb = 1024 b) into bytes; undefined when malformed or unitless. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNIT_BYTES[match[2]!.toLowerCase() as keyof typeof UNIT_BYTES]);
}
