import { credentials, Metadata } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';

/** A grpc.health.v1 client whose `check()` is one unary Check call that must answer SERVING. */
export interface HealthCheckCaller {
  check(): Promise<void>;
  close(): void;
}

export function healthCheckCaller(address: string, service = ''): HealthCheckCaller {
  const client = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
  const request = { service };
  const metadata = new Metadata();
  return {
    check: () =>
      new Promise((resolve, reject) => {
        client.check(request, metadata, {}, (error, response) => {
          if (error) reject(error);
          else if (response.status !== grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING) {
            reject(new Error(`Check answered ${response.status}`));
          } else resolve();
        });
      }),
    close: () => client.close(),
  };
}
