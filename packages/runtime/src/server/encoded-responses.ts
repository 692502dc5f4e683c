import type { ServiceDefinitionShape } from './service-definition-shape';

interface Encoding {
  /** The serializer that made the bytes: only a method with this very serializer may send them. */
  readonly serialize: unknown;
  readonly bytes: Buffer;
}

/** Wire bytes of response objects a handler returns again and again; weak, so they go with the object. */
const encodings = new WeakMap<object, Encoding>();

/**
 * Freezes `response` and remembers its wire bytes (from the method's own `responseSerialize`), so
 * each later answer with this very object sends the bytes instead of encoding it again. For answers
 * served from a cache, e.g. a verified principal; the object must never change afterwards.
 */
export function withEncoding<T extends object>(response: T, serialize: (value: T) => Buffer): T {
  const frozen = Object.freeze(response);
  encodings.set(frozen, { serialize, bytes: serialize(frozen) });
  return frozen;
}

/** The definition with each method's serializer first looking for bytes recorded by `withEncoding`. */
export function reusingEncodings<D extends ServiceDefinitionShape>(definition: D): D {
  const result: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const serialize = (method as { responseSerialize?: (value: unknown) => Buffer }).responseSerialize;
    result[name] =
      serialize === undefined
        ? method
        : {
            ...method,
            responseSerialize: (value: unknown) => {
              const recorded = typeof value === 'object' && value !== null ? encodings.get(value) : undefined;
              return recorded?.serialize === serialize ? recorded.bytes : serialize(value);
            },
          };
  }
  return result as D;
}
