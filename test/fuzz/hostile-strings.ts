import fc from 'fast-check';

/** Strings that have broken services elsewhere: SQL and shell metacharacters, odd unicode, NULs, huge ones. */
export const knownHostileStrings = [
  "' OR '1'='1' --",
  "'); DROP TABLE users; --",
  '"; SELECT pg_sleep(10); --',
  '\\x00\u0000\u0000',
  '%_%\\%',
  '$1 $2 ::text',
  '${jndi:ldap://x}',
  '\u202e\u200b\ufeff',
  '\ud800',
  '🦄'.repeat(300),
  'ü'.repeat(5000),
  'a'.repeat(70_000),
  '../../../../etc/passwd',
  'user=admin,role=admin',
  '*',
  '',
];

/** Arbitrary hostile text: one of the known ones, any unicode, or a long run of one character. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...knownHostileStrings),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc
    .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 1, max: 20_000 }))
    .map(([unit, times]) => unit.repeat(times)),
);

/** gRPC status names a well-behaved handler may answer any input with. */
export const acceptableCodes = new Set([
  'OK',
  'INVALID_ARGUMENT',
  'RESOURCE_EXHAUSTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'ABORTED',
]);
