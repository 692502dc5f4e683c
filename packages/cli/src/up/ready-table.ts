import type { ReadyService } from './supervisor';

/**
 * The summary printed once every service is ready:
 *
 *   service      gRPC               ops                     stores
 *   auth         127.0.0.1:50051    http://127.0.0.1:8081   sql=pglite .gatehouse/auth, kv=memory
 */
export function renderReadyTable(
  services: readonly ReadyService[],
  elapsedMs: number,
  notices: readonly string[] = [],
): string {
  const rows = [
    ['service', 'gRPC', 'ops', 'stores'],
    ...services.map((service) => [
      service.name,
      service.grpcAddress,
      service.opsUrl,
      describeStores(service.stores),
    ]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const lines = rows.map((row) =>
    `  ${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('   ')}`.trimEnd(),
  );
  const count = services.length === 1 ? '1 service' : `${services.length} services`;
  return [
    '',
    `Gatehouse is up: ${count} ready in ${(elapsedMs / 1000).toFixed(1)} s`,
    '',
    ...lines,
    '',
    ...notices.flatMap((notice) => [notice, '']),
    'Press Ctrl-C to stop (or send SIGTERM): every service finishes its calls in flight first.',
    '',
  ].join('\n');
}

function describeStores(stores: Readonly<Record<string, string>>): string {
  const entries = Object.entries(stores);
  return entries.length === 0 ? 'none' : entries.map(([kind, backend]) => `${kind}=${backend}`).join(', ');
}
