import type { LogRecord } from './log-record';

/** What a service says in its one `serving gRPC on ...` line once it has started. */
export interface ServingAnnouncement {
  readonly grpcPort: number;
  readonly opsPort: number;
  /** Which store backs what, e.g. { sql: 'pglite .gatehouse/auth', kv: 'memory' }. */
  readonly stores: Readonly<Record<string, string>>;
}

/** The announcement in `record`, or undefined when it is any other line. */
export function readServingAnnouncement(record: LogRecord): ServingAnnouncement | undefined {
  const { grpc_port: grpcPort, ops_port: opsPort, stores } = record.fields;
  if (!record.msg.startsWith('serving gRPC on') || !isPort(grpcPort) || !isPort(opsPort)) return undefined;
  const storesInUse: Record<string, string> = {};
  if (stores !== null && typeof stores === 'object') {
    for (const [kind, description] of Object.entries(stores)) storesInUse[kind] = String(description);
  }
  return { grpcPort, opsPort, stores: storesInUse };
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;
}
