import { GatehouseError } from '@gatehouse/runtime';
import type { PasswordPolicyConfig } from '../config';
import { bcryptMaxBytes } from './password-hasher';

export interface PasswordAssessment {
  /** Strength from 0 to 1 (estimated entropy of 80 bits or more scores 1). */
  score: number;
  /** What is wrong or weak, in words a user can act on; empty when the password is accepted. */
  feedback: string[];
  accepted: boolean;
}

const classes = [
  { test: /[a-z]/, size: 26, missing: 'add a lower-case letter' },
  { test: /[A-Z]/, size: 26, missing: 'add an upper-case letter' },
  { test: /[0-9]/, size: 10, missing: 'add a digit' },
  { test: /[^A-Za-z0-9]/, size: 33, missing: 'add a special character (e.g. !, #, or a space)' },
];

/** Scores a password and lists what the policy refuses. `email` is the account's normalized email. */
export function assessPassword(
  password: string,
  email: string,
  policy: PasswordPolicyConfig,
): PasswordAssessment {
  const feedback: string[] = [];
  const length = [...password].length;
  if (length < policy.minLength) feedback.push(`use at least ${policy.minLength} characters (got ${length})`);
  if (length > policy.maxLength) feedback.push(`use at most ${policy.maxLength} characters (got ${length})`);
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > bcryptMaxBytes) {
    feedback.push(
      `use at most ${bcryptMaxBytes} bytes in UTF-8 (got ${bytes}); longer passwords are not truncated`,
    );
  }
  const present = classes.filter((c) => c.test.test(password));
  if (policy.requireClasses) for (const c of classes) if (!c.test.test(password)) feedback.push(c.missing);

  const lower = password.toLowerCase();
  const local = email.split('@')[0] ?? '';
  if (lower === email || (local.length >= 3 && lower.includes(local)) || similarity(lower, email) > 0.6) {
    feedback.push('do not base the password on your email address');
  }

  const unique = new Set(password).size;
  if (length >= 4 && unique < Math.min(6, length / 2)) feedback.push('avoid repeating the same characters');
  const pool = present.reduce((sum, c) => sum + c.size, 0) || 1;
  // Entropy estimate: repeated characters add little, so count at most 3 positions per distinct one.
  const bits = Math.min(length, unique * 3) * Math.log2(pool);
  const score = Math.round(Math.min(1, bits / 80) * 100) / 100;
  if (score * 100 < policy.minScore) {
    feedback.push(
      `too easy to guess (strength ${score.toFixed(2)}, need ${(policy.minScore / 100).toFixed(2)}): make it longer or more varied`,
    );
  }
  return { score, feedback, accepted: feedback.length === 0 };
}

/** INVALID_ARGUMENT naming `field`, with the score and every feedback message, when refused. */
export function enforcePasswordPolicy(
  field: string,
  password: string,
  email: string,
  policy: PasswordPolicyConfig,
): void {
  const assessment = assessPassword(password, email, policy);
  if (assessment.accepted) return;
  throw new GatehouseError(
    'INVALID_ARGUMENT',
    `${field}: does not meet the password policy: ${assessment.feedback.join('; ')}`,
    {
      field,
      reason: 'PASSWORD_POLICY',
      metadata: { score: assessment.score.toFixed(2), feedback: assessment.feedback.join('\n') },
    },
  );
}

/** Share of the longer string's bigrams found in the other (0..1). */
function similarity(a: string, b: string): number {
  const grams = (s: string) =>
    new Set(Array.from({ length: Math.max(0, s.length - 1) }, (_, i) => s.slice(i, i + 2)));
  const ga = grams(a);
  const gb = grams(b);
  if (ga.size === 0 || gb.size === 0) return 0;
  let shared = 0;
  for (const g of ga) if (gb.has(g)) shared += 1;
  return shared / Math.max(ga.size, gb.size);
}
