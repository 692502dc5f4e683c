import { createServer, Socket, type Server } from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1: point the code under test here instead of at the target. */
  readonly port: number;
  /** Closes the port and cuts every connection: the target looks down (connection refused). */
  stop(): Promise<void>;
  /** Listens again on the same port and forwards to the target. */
  restart(): Promise<void>;
  /** Keeps accepting connections but forwards nothing, in either direction: the target hangs. */
  blackhole(): void;
  /** Forwards again (after blackhole); connections opened while blackholed stay dead. */
  heal(): void;
}

/** A TCP proxy in front of a real server (Redis, PostgreSQL, a service), to play outages in tests. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let blackholed = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const current = createServer((client) => {
        track(client);
        if (blackholed) return;
        const upstream = new Socket();
        track(upstream);
        upstream.connect(target.port, target.host);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server = current;
      current.once('error', reject);
      current.listen(port, '127.0.0.1', () => {
        const address = current.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });

  const port = await listen(0);
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server === undefined) return resolve();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    restart: async () => {
      await listen(port);
    },
    blackhole: () => {
      blackholed = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    heal: () => {
      blackholed = false;
    },
  };
}
