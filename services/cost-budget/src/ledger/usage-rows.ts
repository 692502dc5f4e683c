/** Spend and open holds of one usage row. */
export interface Usage {
  spentMicros: bigint;
  reservedMicros: bigint;
}
