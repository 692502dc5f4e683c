import { performance } from 'node:perf_hooks';
import { Metadata, status } from '@grpc/grpc-js';
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

export interface CallObserverOptions {
  logger: Logger;
  metrics: ServiceMetrics;
}

/** What an observation needs of the call besides its metadata: read only when a log line is written. */
export interface PeerSource {
  getPeer(): string;
}

/**
 * Every call's request id (the caller's x-request-id when it is sane, else a new one), RED metrics
 * and one log line at its end. Either the `observeCalls` interceptor or the handler adapters drive
 * it (see startServiceHost), so both ways count and log a call the same.
 */
export class CallObserver {
  readonly newRequestId = requestIdGenerator();
  private readonly instruments: MethodInstruments;
  private open = 0;

  constructor(readonly options: CallObserverOptions) {
    this.instruments = new MethodInstruments(options.metrics);
  }

  /** Counts the call as started; its request id is settled when its metadata arrives (`receive`). */
  begin(path: string, requestStream: boolean, responseStream: boolean, call: PeerSource): CallObservation {
    const method = this.instruments.of(path, requestStream, responseStream);
    method.started.inc();
    this.open += 1;
    return new CallObservation(this, method, path, call);
  }

  /** Calls begun and not yet ended: what a drain waits for. */
  get openCalls(): number {
    return this.open;
  }

  /** @internal Called once by each observation as it ends. */
  callEnded(): void {
    this.open -= 1;
  }
}

/** One call between its arrival and its status. */
export class CallObservation {
  /** Empty until `receive`. */
  requestId = '';
  // performance.now() rather than hrtime.bigint(): the same monotonic clock without a BigInt per call.
  private readonly started = performance.now();
  private requestMetadata: Metadata | undefined;
  private ended = false;

  constructor(
    private readonly observer: CallObserver,
    private readonly method: MethodInstrument,
    private readonly path: string,
    private readonly call: PeerSource,
  ) {}

  /** Settles the request id and leaves it in the request metadata, where handlers read it. */
  receive(metadata: Metadata): void {
    const sent = metadata.get(requestIdKey);
    const first = sent[0];
    if (typeof first === 'string' && validRequestId.test(first)) {
      this.requestId = first;
      // Already in place when sent once: setting it again would only re-validate it.
      if (sent.length > 1) metadata.set(requestIdKey, first);
    } else {
      this.requestId = this.observer.newRequestId();
      metadata.set(requestIdKey, this.requestId);
    }
    this.requestMetadata = metadata;
  }

  /** Counts, times and logs the call once; later ends (a status after a cancellation) do nothing. */
  end(code: status, details: string): void {
    if (this.ended) return;
    this.ended = true;
    this.observer.callEnded();
    const seconds = (performance.now() - this.started) / 1e3;
    const codeName = status[code] ?? String(code);
    const outcome = this.method.outcome(codeName);
    outcome.handled.inc();
    outcome.duration.observe(seconds);
    const { logger } = this.observer.options;
    const level = this.method.quiet ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        method: this.path,
        code: codeName,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        request_id: this.requestId,
        peer: this.call.getPeer(),
        ...annotationsOf(this.requestMetadata),
        ...(code === status.OK ? {} : { details }),
      },
      'rpc',
    );
  }
}

interface Outcome {
  handled: DeferredCount;
  duration: { observe(seconds: number): void };
}

interface MethodInstrument {
  quiet: boolean;
  started: DeferredCount;
  outcome(code: string): Outcome;
}

/**
 * Label-bound metric children, created once per method and status code: resolving labels on every
 * call would cost more than the rest of the bookkeeping together.
 */
class MethodInstruments {
  private readonly methods = new Map<string, MethodInstrument>();

  constructor(private readonly metrics: ServiceMetrics) {}

  of(path: string, requestStream: boolean, responseStream: boolean): MethodInstrument {
    let method = this.methods.get(path);
    if (method === undefined) {
      method = this.create(path, callType(requestStream, responseStream));
      this.methods.set(path, method);
    }
    return method;
  }

  private create(path: string, type: string): MethodInstrument {
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

/** The parts of a grpc-js server call a handler adapter observes. */
export interface ObservableCall extends PeerSource {
  readonly metadata: Metadata;
  sendMetadata(metadata: Metadata): void;
  once(event: 'cancelled', listener: () => void): unknown;
}

/**
 * An observation begun by a handler adapter, for hosts without interceptors: the call arrived with
 * its metadata, so the request id is settled at once. A call the caller cancels (or whose deadline
 * passes) ends CANCELLED, as with the interceptor.
 */
export function observeHandlerCall(
  observer: CallObserver,
  path: string,
  requestStream: boolean,
  responseStream: boolean,
  call: ObservableCall,
): CallObservation {
  const observation = observer.begin(path, requestStream, responseStream, call);
  observation.receive(call.metadata);
  call.once('cancelled', () => observation.end(status.CANCELLED, 'cancelled by the client'));
  return observation;
}

/**
 * Sends the response headers with the request id. Adapters call it as they answer: headers sent
 * apart from the response cost the connection an extra write (measured: about 3% of a call).
 */
export function sendRequestIdHeader(call: ObservableCall, observation: CallObservation): void {
  const headers = new Metadata();
  headers.set(requestIdKey, observation.requestId);
  call.sendMetadata(headers);
}
