import { describe, expect, it } from 'vitest';
import { renderReadyTable } from './ready-table';

describe('renderReadyTable', () => {
  it('lists each service with its gRPC address, ops URL and stores, the notices, and says how to stop', () => {
    const table = renderReadyTable(
      [
        {
          name: 'auth',
          grpcAddress: '127.0.0.1:50051',
          opsUrl: 'http://127.0.0.1:8081',
          grpcPort: 50051,
          opsPort: 8081,
          stores: { sql: 'pglite .gatehouse/auth', kv: 'memory' },
        },
        {
          name: 'health',
          grpcAddress: '127.0.0.1:50054',
          opsUrl: 'http://127.0.0.1:8084',
          grpcPort: 50054,
          opsPort: 8084,
          stores: {},
        },
      ],
      3250,
      ['Embedded stores: …', 'Development admin: …'],
    );
    expect(table).toBe(
      [
        '',
        'Gatehouse is up: 2 services ready in 3.3 s',
        '',
        '  service   gRPC              ops                     stores',
        '  auth      127.0.0.1:50051   http://127.0.0.1:8081   sql=pglite .gatehouse/auth, kv=memory',
        '  health    127.0.0.1:50054   http://127.0.0.1:8084   none',
        '',
        'Embedded stores: …',
        '',
        'Development admin: …',
        '',
        'Press Ctrl-C to stop (or send SIGTERM): every service finishes its calls in flight first.',
        '',
      ].join('\n'),
    );
  });
});
