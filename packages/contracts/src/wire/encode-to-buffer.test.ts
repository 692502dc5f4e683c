import { describe, expect, it } from 'vitest';
import { authV1, grpcHealthV1 } from '../index';
import { encodeToBuffer } from './encode-to-buffer';

const standardEncode = <T>(type: { encode(message: T): { finish(): Uint8Array } }, message: T) =>
  Buffer.from(type.encode(message).finish());

const request = (token: string): authV1.AuthenticateRequest => ({
  bearerToken: token,
  requiredScopes: ['notes:read'],
  requiredRoles: [],
});

describe('encodeToBuffer', () => {
  it('writes the bytes ts-proto writes, for small and large messages alike', () => {
    for (const token of ['', 'a.b.c', 'x'.repeat(650), 'é'.repeat(300), 'y'.repeat(200_000)]) {
      expect(encodeToBuffer(authV1.AuthenticateRequest, request(token))).toEqual(
        standardEncode(authV1.AuthenticateRequest, request(token)),
      );
    }
  });

  it('gives each message bytes of its own: a later encode never changes an earlier result', () => {
    const first = encodeToBuffer(authV1.AuthenticateRequest, request('first-token'));
    const copy = Buffer.from(first);
    const second = encodeToBuffer(authV1.AuthenticateRequest, request('a-second-and-longer-token'));
    expect(first).toEqual(copy);
    expect(authV1.AuthenticateRequest.decode(second).bearerToken).toBe('a-second-and-longer-token');
    first.fill(0);
    expect(authV1.AuthenticateRequest.decode(second).bearerToken).toBe('a-second-and-longer-token');
  });

  it('starts clean after a message the writer refused half-way', () => {
    const bad = { status: 2 ** 40 } as unknown as grpcHealthV1.HealthCheckResponse;
    expect(() => encodeToBuffer(grpcHealthV1.HealthCheckResponse, bad)).toThrow(/int32/);
    const after = encodeToBuffer(authV1.AuthenticateRequest, request('after-a-failure'));
    expect(after).toEqual(standardEncode(authV1.AuthenticateRequest, request('after-a-failure')));
  });

  it('serves the generated grpc-js service definitions', () => {
    const method = authV1.AuthServiceService.authenticate;
    const bytes = method.requestSerialize(request('through-the-definition'));
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(method.requestDeserialize(bytes)).toEqual(request('through-the-definition'));
  });
});
