import type { CallOptions, Client, Metadata, ServiceError } from '@grpc/grpc-js';
import { CliFailure } from './cli-failure';
import { describeCallError } from './describe-call-error';
import type { CliServiceName } from './service-address';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** Where and how a command calls one service. */
export interface CallTarget {
  service: CliServiceName;
  address: string;
  timeoutMs: number;
}

/** One unary call; a failure becomes a CliFailure with the code, message, reason and field. */
export function unaryCall<C extends Client, Req, Res>(
  client: C,
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata: Metadata,
  target: CallTarget,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    method.call(client, request, metadata, { deadline: Date.now() + target.timeoutMs }, (error, response) => {
      if (error) reject(new CliFailure(describeCallError(error, target.service, target.address)));
      else resolve(response);
    });
  });
}
