import { credentials, Metadata } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import type { Credential } from '../../e2e/walkthrough/notes-caller';
import {
  adminEmail,
  adminPassword,
  type WalkthroughCluster,
} from '../../e2e/walkthrough/walkthrough-cluster';
import { unaryCall } from '../../support/grpc-call';
import { settings } from './soak-settings';

const password = 'Soak-Us3r-Passw0rd!';

/** A registered user of the soak: their token and an API key. */
export interface Caller {
  userId: string;
  token: string;
  apiKey: string;
}

/** Logs the admin in and registers `settings.users` users, each with a token and an API key. */
export async function setUp(cluster: WalkthroughCluster): Promise<{ admin: string; callers: Caller[] }> {
  const auth = new authV1.AuthServiceClient(cluster.auth.address, credentials.createInsecure());
  const login = (email: string) =>
    unaryCall<authV1.LoginRequest, authV1.TokenPair>(
      auth,
      auth.login,
      { email, password: email === adminEmail ? adminPassword : password },
      new Metadata(),
    );
  const admin = (await login(adminEmail)).accessToken;
  const callers: Caller[] = [];
  for (let index = 0; index < settings.users; index += 1) {
    const email = `soak-${index}@soak.test`;
    const { userId } = await unaryCall<authV1.RegisterRequest, authV1.RegisterResponse>(
      auth,
      auth.register,
      { email, password, displayName: `soak ${index}` },
      new Metadata(),
    );
    const token = (await login(email)).accessToken;
    const bearer = new Metadata();
    bearer.set('authorization', `Bearer ${token}`);
    const { apiKey } = await unaryCall<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
      auth,
      auth.createApiKey,
      { name: 'soak', scopes: ['notes:read', 'notes:write'], ttlSeconds: 0n, userId: '' },
      bearer,
    );
    callers.push({ userId, token, apiKey });
  }
  auth.close();
  return { admin, callers };
}

export type Method = 'addNote' | 'listNotes' | 'summarize';

/** The mix of one protected request stream: mostly cheap calls, Summarize now and then, an API key sometimes. */
export function nextCall(callers: Caller[]): { method: Method; request: object; credential: Credential } {
  const caller = callers[Math.floor(Math.random() * callers.length)]!;
  const credential: Credential = Math.random() < 0.2 ? { apiKey: caller.apiKey } : { bearer: caller.token };
  const roll = Math.random();
  if (roll < 0.45) return { method: 'listNotes', request: { limit: 20 }, credential };
  if (roll < 0.9) return { method: 'addNote', request: { text: `soak note ${Date.now()}` }, credential };
  return { method: 'summarize', request: { maxLength: 200 }, credential };
}
