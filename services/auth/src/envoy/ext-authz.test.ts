import { Metadata } from '@grpc/grpc-js';
import { envoyAuthV3Attributes, envoyTypeV3, type envoyAuthV3 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startAuth, unaryCall, type StartedAuth } from '../test-support/start-auth';

describe('envoy.service.auth.v3.Authorization/Check on the auth port', () => {
  let auth: StartedAuth;
  let token: string;
  beforeAll(async () => {
    auth = await startAuth({ backend: 'embedded' });
    token = (await signUp(auth, 'envoy@example.com')).token;
  });
  afterAll(() => auth.stop());

  const check = (headers: Record<string, string>, contextExtensions: Record<string, string> = {}) =>
    unaryCall<envoyAuthV3.CheckRequest, envoyAuthV3.CheckResponse>(
      auth.envoy,
      auth.envoy.check,
      {
        attributes: envoyAuthV3Attributes.AttributeContext.fromPartial({
          request: { http: { headers } },
          contextExtensions,
        }),
      },
      new Metadata(),
    );

  it('allows a valid bearer token, adds x-gatehouse-* headers and strips the credential upstream', async () => {
    const response = await check({ authorization: `Bearer ${token}`, 'x-gatehouse-subject': 'forged' });
    expect(response.status?.code).toBe(0);
    const headers = Object.fromEntries(
      (response.okResponse?.headers ?? []).map((h) => [h.header?.key, h.header?.value]),
    );
    expect(headers).toMatchObject({
      'x-gatehouse-kind': 'user',
      'x-gatehouse-email': 'envoy@example.com',
      'x-gatehouse-tier': 'free',
    });
    expect(headers['x-gatehouse-subject']).toMatch(/^usr_/);
    expect(response.okResponse?.headersToRemove).toEqual(['authorization', 'x-api-key']);
  });

  it('denies a missing or bad credential with 401 and a missing scope with 403', async () => {
    const none = await check({});
    expect(none.status?.code).toBe(16);
    expect(none.deniedResponse?.status?.code).toBe(envoyTypeV3.StatusCode.Unauthorized);
    expect(JSON.parse(none.deniedResponse?.body ?? '{}')).toMatchObject({ reason: 'CREDENTIAL_MISSING' });
    const bad = await check({ authorization: 'Bearer not.a.token' });
    expect(bad.deniedResponse?.status?.code).toBe(envoyTypeV3.StatusCode.Unauthorized);
    const basic = await check({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.deniedResponse?.status?.code).toBe(envoyTypeV3.StatusCode.Unauthorized);
    expect(JSON.parse(basic.deniedResponse?.body ?? '{}')).toMatchObject({ reason: 'CREDENTIAL_MALFORMED' });
    const scoped = await check({ authorization: `Bearer ${token}` }, { gatehouse_required_roles: 'admin' });
    expect(scoped.status?.code).toBe(7);
    expect(scoped.deniedResponse?.status?.code).toBe(envoyTypeV3.StatusCode.Forbidden);
  });
});
