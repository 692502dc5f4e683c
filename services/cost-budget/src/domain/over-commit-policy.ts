/** What a Commit above its hold records: the actual in full (flagged), or the held amount (flagged). */
export const overCommitPolicies = ['allow-and-flag', 'cap'] as const;
export type OverCommitPolicy = (typeof overCommitPolicies)[number];
