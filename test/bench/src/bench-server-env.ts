/** Settings of every server a benchmark starts: loopback only, ephemeral ports, no log output. */
export const benchServerEnv: Readonly<Record<string, string>> = {
  GRPC_HOST: '127.0.0.1',
  GRPC_PORT: '0',
  OPS_HOST: '127.0.0.1',
  OPS_PORT: '0',
  LOG_LEVEL: 'silent',
  SHUTDOWN_GRACE_MS: '1000',
};
