import { createServer, Socket, type Server } from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1: point the code under test here instead of at the target. */
  readonly port: number;
  /** Closes the port and cuts every connection: the target looks down (connection refused). */
  stop(): Promise<void>;
  /** Listens again on the same port and forwards to the target. */
  restart(): Promise<void>;
  /**
   * Keeps accepting connections but delivers nothing, in either direction: the target hangs (a
   * network partition: no error, no reset, the bytes wait as TCP would retransmit them).
   */
  blackhole(): void;
  /** Ends the partition: held bytes are delivered in order and held connections reach the target. */
  heal(): void;
  /** Cuts every open connection with a TCP reset (RST) but keeps listening: the target crashed and came back. */
  reset(): void;
  /** Closes every open connection cleanly (FIN) but keeps listening: an idle-timeout or a proxy dropping them. */
  drop(): void;
  /** Holds each forwarded chunk this long, both ways (0 = none): a slow network or an overloaded target. */
  delay(ms: number): void;
  /** Connections currently open through the proxy (client and upstream sides each count once). */
  openConnections(): number;
}

/** A TCP proxy in front of a real server (Redis, PostgreSQL, a service), to play outages in tests. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let blackholed = false;
  let latencyMs = 0;
  // What a partition holds back: bytes and not-yet-opened upstream connections, replayed in order on heal.
  let held: (() => void)[] = [];

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const later = (action: () => void) => {
    if (blackholed) held.push(action);
    else action();
  };
  // Forwards chunk by chunk (not pipe) so a delay or a partition can hold each chunk; order is kept
  // because every chunk of one direction waits the same time.
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk);
      };
      later(() => (latencyMs > 0 ? setTimeout(send, latencyMs) : send()));
    });
  };
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const current = createServer((client) => {
        track(client);
        const upstream = new Socket();
        track(upstream);
        forward(client, upstream);
        forward(upstream, client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        later(() => upstream.connect(target.port, target.host));
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
        const closing = server;
        server = undefined;
        closing.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    restart: async () => {
      await listen(port);
    },
    blackhole: () => {
      blackholed = true;
    },
    heal: () => {
      blackholed = false;
      const replay = held;
      held = [];
      for (const action of replay) action();
    },
    reset: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    drop: () => {
      for (const socket of sockets) socket.end();
    },
    delay: (ms) => {
      latencyMs = ms;
    },
    openConnections: () => sockets.size,
  };
}
