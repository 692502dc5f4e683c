import { credentials, Metadata } from '@grpc/grpc-js';
import { authV1, serviceNames } from '@gatehouse/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { unaryCall } from '../../../../test/support/grpc-call';
import { testCommonConfig } from '../../../../test/support/test-config';
import { createLogger } from '../logging/logger';
import { reusingEncodings, withEncoding } from './encoded-responses';
import { hostedService } from './hosted-service';
import { startServiceHost, type ServiceHost } from './service-host';

const whoAmI = authV1.AuthServiceService.whoAmI;
const principal: authV1.Principal = {
  subject: 'user-1',
  kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
  email: 'ann@example.com',
  roles: ['user'],
  scopes: ['*'],
  tier: 'free',
  apiKeyId: '',
  expiresAt: new Date('2030-01-02T03:04:05.000Z'),
};

describe('withEncoding and reusingEncodings', () => {
  it('send the recorded bytes of a registered response without encoding it again', () => {
    let encodings = 0;
    const counting = (value: authV1.WhoAmIResponse) => {
      encodings += 1;
      return whoAmI.responseSerialize(value);
    };
    const response = withEncoding({ principal }, counting);
    const serialize = reusingEncodings({ whoAmI: { ...whoAmI, responseSerialize: counting } }).whoAmI
      .responseSerialize;
    const first = serialize(response);
    const second = serialize(response);
    expect(encodings).toBe(1);
    expect(second).toBe(first);
    expect(whoAmI.responseDeserialize(first)).toEqual({ principal });
    expect(Object.isFrozen(response)).toBe(true);
  });

  it('never send bytes recorded for another method', () => {
    const authenticate = authV1.AuthServiceService.authenticate;
    const response = withEncoding({ principal }, authenticate.responseSerialize);
    let encodings = 0;
    const counting = (value: authV1.WhoAmIResponse) => {
      encodings += 1;
      return whoAmI.responseSerialize(value);
    };
    const serialize = reusingEncodings({ whoAmI: { ...whoAmI, responseSerialize: counting } }).whoAmI
      .responseSerialize;
    expect(serialize(response)).toEqual(whoAmI.responseSerialize(response));
    expect(encodings).toBe(1);
  });

  it('encode any other response as the definition does', () => {
    const serialize = reusingEncodings({ whoAmI }).whoAmI.responseSerialize;
    const plain = { principal: { ...principal, subject: 'user-2' } };
    expect(serialize(plain)).toEqual(whoAmI.responseSerialize(plain));
  });
});

describe('a service host answering with a pre-encoded response', () => {
  let host: ServiceHost | undefined;
  afterEach(async () => host?.shutdown());

  it('delivers it to the client intact, call after call', async () => {
    const response = withEncoding({ principal }, whoAmI.responseSerialize);
    host = await startServiceHost({
      config: testCommonConfig(),
      logger: createLogger({ service: 'test', level: 'silent' }),
      services: [
        hostedService(serviceNames.auth, authV1.AuthServiceService, { whoAmI: async () => response }),
      ],
    });
    const client = new authV1.AuthServiceClient(`127.0.0.1:${host.grpcPort}`, credentials.createInsecure());
    for (let call = 0; call < 3; call += 1) {
      expect(await unaryCall(client, client.whoAmI, {}, new Metadata())).toEqual({ principal });
    }
    client.close();
  });
});
