import { randomUUID } from 'node:crypto';
import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { requestIdKey } from './call-context';

/** Methods polled by probes and tools: logged at debug so they do not drown real traffic. */
const quietServices = new Set(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);

const validRequestId = /^[\w.:-]{1,128}$/;

export interface ObserveCallsOptions {
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * A server interceptor giving every call a request id (the caller's x-request-id when it is sane,
 * else a new one, echoed back in the response headers), RED metrics, and one log line at its end.
 */
export function observeCalls({ logger, metrics }: ObserveCallsOptions): ServerInterceptor {
  return (descriptor, call) => {
    const { service, method } = splitPath(descriptor.path);
    const type = callType(descriptor.requestStream, descriptor.responseStream);
    const labels = { grpc_service: service, grpc_method: method, grpc_type: type };
    const started = process.hrtime.bigint();
    let requestId = '';
    metrics.rpcStarted.inc(labels);
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const sent = metadata.get(requestIdKey)[0];
            requestId = typeof sent === 'string' && validRequestId.test(sent) ? sent : randomUUID();
            metadata.set(requestIdKey, requestId);
            nextMetadata(metadata);
          },
        });
      },
      sendMetadata(metadata, next) {
        if (requestId !== '') metadata.set(requestIdKey, requestId);
        next(metadata);
      },
      sendStatus(callStatus, next) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const code = status[callStatus.code] ?? String(callStatus.code);
        metrics.rpcHandled.inc({ ...labels, grpc_code: code });
        metrics.rpcDuration.observe({ ...labels, grpc_code: code }, seconds);
        const line = {
          method: descriptor.path,
          code,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          request_id: requestId,
          peer: call.getPeer(),
          ...(callStatus.code === status.OK ? {} : { details: callStatus.details }),
        };
        if (quietServices.has(service)) logger.debug(line, 'rpc');
        else logger.info(line, 'rpc');
        next(callStatus);
      },
    });
  };
}

function splitPath(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}

function callType(requestStream: boolean, responseStream: boolean): string {
  if (requestStream && responseStream) return 'bidi_stream';
  if (requestStream) return 'client_stream';
  return responseStream ? 'server_stream' : 'unary';
}
