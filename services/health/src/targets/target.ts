/** What one probe of a component concluded. */
export type ComponentStatus = 'SERVING' | 'DEGRADED' | 'NOT_SERVING';

export interface ProbeResult {
  status: ComponentStatus;
  /** What was seen, for the SRE reading the status page (e.g. the error). */
  detail: string;
}

/** Something the health service watches: a Gatehouse service, PostgreSQL, Redis. */
export interface Target {
  readonly name: string;
  /** How it is probed: "grpc", "postgres", "redis". */
  readonly kind: string;
  /** Whether this component down makes the whole cluster NOT_SERVING (else DEGRADED). */
  readonly critical: boolean;
  /** One probe; must settle within timeoutMs (the caller also enforces it). */
  probe(timeoutMs: number): Promise<ProbeResult>;
  close(): Promise<void>;
}
