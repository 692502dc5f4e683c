import { performance } from 'node:perf_hooks';
import { ServerInterceptingCall, status, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from '../logging/logger';
import { deferredCount, type DeferredCount } from '../metrics/deferred-counts';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { annotationsOf } from './call-annotations';
import { requestIdKey } from './call-context';
import { requestIdGenerator } from './request-ids';

/** Methods polled by probes and tools: logged at debug so they do not drown real traffic. */
const quietServices = new Set([
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
]);

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
  const instruments = new MethodInstruments(metrics);
  const newRequestId = requestIdGenerator();
  return (descriptor, call) => {
    const method = instruments.of(descriptor.path, descriptor.requestStream, descriptor.responseStream);
    // performance.now() rather than hrtime.bigint(): the same monotonic clock without a BigInt per call.
    const started = performance.now();
    let requestId = '';
    let requestMetadata: Metadata | undefined;
    method.started.inc();
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const sent = metadata.get(requestIdKey);
            const first = sent[0];
            if (typeof first === 'string' && validRequestId.test(first)) {
              requestId = first;
              // Already in place when sent once: setting it again would only re-validate it.
              if (sent.length > 1) metadata.set(requestIdKey, requestId);
            } else {
              requestId = newRequestId();
              metadata.set(requestIdKey, requestId);
            }
            requestMetadata = metadata;
            nextMetadata(metadata);
          },
        });
      },
      sendMetadata(metadata, next) {
        if (requestId !== '') metadata.set(requestIdKey, requestId);
        next(metadata);
      },
      sendStatus(callStatus, next) {
        const seconds = (performance.now() - started) / 1e3;
        const code = status[callStatus.code] ?? String(callStatus.code);
        const outcome = method.outcome(code);
        outcome.handled.inc();
        outcome.duration.observe(seconds);
        const level = method.quiet ? 'debug' : 'info';
        if (logger.isLevelEnabled(level)) {
          logger[level](
            {
              method: descriptor.path,
              code,
              duration_ms: Math.round(seconds * 1e6) / 1e3,
              request_id: requestId,
              peer: call.getPeer(),
              ...annotationsOf(requestMetadata),
              ...(callStatus.code === status.OK ? {} : { details: callStatus.details }),
            },
            'rpc',
          );
        }
        next(callStatus);
      },
    });
  };
}

interface Outcome {
  handled: DeferredCount;
  duration: { observe(seconds: number): void };
}

/**
 * Label-bound metric children, created once per method and status code: resolving labels on every
 * call would cost more than the rest of the bookkeeping together.
 */
class MethodInstruments {
  private readonly methods = new Map<string, ReturnType<MethodInstruments['create']>>();

  constructor(private readonly metrics: ServiceMetrics) {}

  of(path: string, requestStream: boolean, responseStream: boolean) {
    let method = this.methods.get(path);
    if (method === undefined) {
      method = this.create(path, callType(requestStream, responseStream));
      this.methods.set(path, method);
    }
    return method;
  }

  private create(path: string, type: string) {
    const { service, method } = splitPath(path);
    const labels = { grpc_service: service, grpc_method: method, grpc_type: type };
    const outcomes = new Map<string, Outcome>();
    return {
      quiet: quietServices.has(service),
      started: deferredCount(this.metrics.rpcStarted, labels),
      outcome: (code: string): Outcome => {
        let outcome = outcomes.get(code);
        if (outcome === undefined) {
          outcome = {
            handled: deferredCount(this.metrics.rpcHandled, { ...labels, grpc_code: code }),
            duration: this.metrics.rpcDuration.labels({ ...labels, grpc_code: code }),
          };
          outcomes.set(code, outcome);
        }
        return outcome;
      },
    };
  }
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
