import fc from 'fast-check';

/*
 * Settings of every property in test/properties. About 1,000 cases per property in CI; a failure
 * prints fast-check's `{ seed, path }`, which replays it exactly:
 *
 *   FC_SEED=<seed> FC_PATH=<path> npm test -- test/properties/<file>
 *
 * FC_NUM_RUNS raises or lowers the number of cases (e.g. 20,000 for a long local hunt).
 */
export const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);

export function propertySettings<T>(overrides: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns: NUM_RUNS,
    ...(seed !== undefined && seed !== '' ? { seed: Number(seed) } : {}),
    ...(path !== undefined && path !== '' ? { path } : {}),
    // A property still running after 45 s (a machine shared by several test runs) stops there and
    // passes on the cases it ran, rather than failing on Jest's 60 s timeout without its seed.
    interruptAfterTimeLimit: 45_000,
    ...overrides,
  };
}

/** One change to a byte string: a flipped byte, a cut, an insertion, or a removed slice. */
export type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 32 }),
    }),
  },
);

/** Applies a mutation; the result always differs from `original` (non-empty input). */
export function mutate(original: Buffer, mutation: Mutation): Buffer {
  const at = mutation.at % Math.max(1, original.length);
  switch (mutation.kind) {
    case 'flip': {
      const copy = Buffer.from(original);
      copy[at] ^= mutation.mask;
      return copy;
    }
    case 'truncate':
      return original.subarray(0, at);
    case 'insert':
      return Buffer.concat([original.subarray(0, at), mutation.bytes, original.subarray(at)]);
    case 'delete':
      return Buffer.concat([original.subarray(0, at), original.subarray(at + mutation.length)]);
  }
}

/** Arbitrary bytes, from nothing to a few KiB, with XML-looking and DER-looking prefixes mixed in. */
export const strangerBytes: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(
      '',
      '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">',
      '<plist><dict>',
      '<!DOCTYPE plist [<!ENTITY x "y">]>',
      'bplist00',
      '\u0030\u0082',
    ),
    fc.uint8Array({ maxLength: 2048 }),
  )
  .map(([prefix, bytes]) => Buffer.concat([Buffer.from(prefix, 'latin1'), bytes]));
