import { Metadata } from '@grpc/grpc-js';
import type { Env } from '../command';
import { CliFailure } from './cli-failure';
import { loadCredentials } from './credential-store';

/** The credential a command calls with, and where it came from. */
export interface CallerCredential {
  value: string;
  source: '--token' | 'GATEHOUSE_TOKEN' | 'login';
}

/** `--token`, else env `GATEHOUSE_TOKEN`, else the stored login; undefined when none. */
export function findCredential(flag: string | undefined, env: Env): CallerCredential | undefined {
  if (flag !== undefined && flag !== '') return { value: flag, source: '--token' };
  const fromEnv = env.GATEHOUSE_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'GATEHOUSE_TOKEN' };
  const stored = loadCredentials(env);
  if (stored !== undefined) return { value: stored.accessToken, source: 'login' };
  return undefined;
}

/** Like findCredential, but a missing credential is a failure that says how to get one. */
export function requireCredential(flag: string | undefined, env: Env): CallerCredential {
  const credential = findCredential(flag, env);
  if (credential === undefined) {
    throw new CliFailure(
      'no credential: run `gatehouse login --email <you>` first, or pass --token / set GATEHOUSE_TOKEN',
    );
  }
  return credential;
}

/** A JWT (three dot-separated parts) goes in `authorization: Bearer`; anything else is an API key. */
export function isJwt(credential: string): boolean {
  return credential.split('.').length === 3;
}

/** Call metadata carrying the credential, if any. */
export function credentialMetadata(credential: CallerCredential | undefined): Metadata {
  const metadata = new Metadata();
  if (credential === undefined) return metadata;
  if (isJwt(credential.value)) metadata.set('authorization', `Bearer ${credential.value}`);
  else metadata.set('x-api-key', credential.value);
  return metadata;
}
