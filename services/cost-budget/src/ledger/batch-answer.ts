/** One answer of a batch function: a JSON object whose `outcome` says which kind it is. */
export type BatchAnswer = Record<string, unknown> & { outcome: string };

/** A jsonb value may arrive parsed or as text, depending on the driver's type parsers. */
export function parseBatchAnswer(value: BatchAnswer | string): BatchAnswer {
  return typeof value === 'string' ? (JSON.parse(value) as BatchAnswer) : value;
}
