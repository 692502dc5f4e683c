import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../command';
import { CliFailure } from './cli-failure';

/** What `gatehouse login` keeps between runs. */
export interface StoredCredentials {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
  /** The auth service it came from. */
  authAddress: string;
}

/** `$XDG_CONFIG_HOME/gatehouse`, else `$HOME/.config/gatehouse`. */
export function configDir(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'gatehouse');
  const home = env.HOME ?? env.USERPROFILE;
  if (home === undefined || home === '') {
    throw new CliFailure('cannot find a config directory: set XDG_CONFIG_HOME or HOME');
  }
  return join(home, '.config', 'gatehouse');
}

export function credentialsPath(env: Env): string {
  return join(configDir(env), 'credentials.json');
}

/** Writes the credentials readable by the user only (directory 0700, file 0600), atomically. */
export function saveCredentials(env: Env, credentials: StoredCredentials): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(env);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

/** The stored credentials, or undefined when there are none (or the file is unreadable). */
export function loadCredentials(env: Env): StoredCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(credentialsPath(env), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredCredentials>;
    if (typeof parsed.accessToken !== 'string' || typeof parsed.refreshToken !== 'string') return undefined;
    return parsed as StoredCredentials;
  } catch {
    return undefined;
  }
}

/** Removes the stored credentials; true when there were some. */
export function deleteCredentials(env: Env): boolean {
  const path = credentialsPath(env);
  const existed = loadCredentials(env) !== undefined;
  rmSync(path, { force: true });
  return existed;
}
