import {
  authV1,
  budgetV1,
  descriptorSet,
  envoyAuthV3,
  envoyRateLimitV3,
  healthV1,
  ratelimitV1,
} from '@gatehouse/contracts';
import protobuf from 'protobufjs';
import descriptorExt from 'protobufjs/ext/descriptor';

/** Which test-cluster service serves an RPC. */
export type ServiceKey = 'auth' | 'rateLimit' | 'costBudget' | 'health';

/** One RPC of a Gatehouse service, as the generated definition declares it. */
export interface CatalogRpc {
  service: ServiceKey;
  /** "/gatehouse.auth.v1.AuthService/Login". */
  path: string;
  /** "AuthService/Login". */
  name: string;
  responseStream: boolean;
  /** The request type, for building arbitrary valid encodings. */
  requestType: protobuf.Type;
}

// Every service definition in @gatehouse/contracts that a Gatehouse port serves: a new RPC added to
// a proto appears here (and in every suite iterating the catalog) without anyone listing it.
const definitions: [ServiceKey, Record<string, { path: string; responseStream: boolean }>][] = [
  ['auth', authV1.AuthServiceService],
  ['auth', envoyAuthV3.AuthorizationService],
  ['rateLimit', ratelimitV1.RateLimitServiceService],
  ['rateLimit', envoyRateLimitV3.RateLimitServiceService],
  ['costBudget', budgetV1.CostBudgetServiceService],
  ['health', healthV1.HealthServiceService],
];

let root: protobuf.Root | undefined;

/** The contracts' descriptor set as a protobufjs root (reflection over every message). */
export function contractsRoot(): protobuf.Root {
  if (root === undefined) {
    const set = (descriptorExt.FileDescriptorSet as unknown as protobuf.Type).decode(descriptorSet());
    root = (protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }).fromDescriptor(set);
  }
  return root;
}

export function rpcCatalog(): CatalogRpc[] {
  const types = contractsRoot();
  return definitions.flatMap(([service, definition]) =>
    Object.values(definition).map((method) => {
      const [, serviceName = '', methodName = ''] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
      const rpc = types.lookupService(serviceName).methods[methodName];
      if (rpc === undefined) throw new Error(`${method.path} is missing from the descriptor set`);
      return {
        service,
        path: method.path,
        name: `${serviceName.split('.').at(-1)}/${methodName}`,
        responseStream: method.responseStream,
        requestType: types.lookupType(rpc.requestType),
      };
    }),
  );
}

/**
 * A request object (protobufjs JSON shape) with every string field — nested messages and repeated
 * fields included, to `depth` levels — set by `text()`; other fields keep their defaults.
 */
export function everyStringField(
  type: protobuf.Type,
  text: () => string,
  depth = 3,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    let value: unknown;
    if (field instanceof protobuf.MapField) {
      if (field.keyType === 'string' && field.type === 'string') value = { [text()]: text() };
    } else if (field.type === 'string') value = text();
    else if (field.resolvedType instanceof protobuf.Type && depth > 0)
      value = everyStringField(field.resolvedType, text, depth - 1);
    if (value === undefined) continue;
    // A oneof takes only its first member; the others would be dropped anyway.
    if (field.partOf !== null && field.partOf.oneof[0] !== field.name) continue;
    object[field.name] = field.repeated ? [value] : value;
  }
  return object;
}

/** Encodes a request object of `type` to bytes. */
export function encodeRequest(type: protobuf.Type, object: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}
