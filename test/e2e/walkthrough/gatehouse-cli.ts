import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../support/spawned-service';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One person at a terminal: the built `gatehouse` command with their own HOME and config dir, no stdin. */
export interface CliUser {
  readonly home: string;
  run(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** The access token `gatehouse login` stored in $XDG_CONFIG_HOME/gatehouse/credentials.json. */
  storedAccessToken(): string;
  credentialsPath(): string;
  remove(): void;
}

export function cliUser(label: string): CliUser {
  const home = mkdtempSync(join(tmpdir(), `gatehouse-cli-${label}-`));
  const configHome = join(home, '.config');
  const credentialsPath = () => join(configHome, 'gatehouse', 'credentials.json');
  return {
    home,
    run: (args, env = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          process.execPath,
          [repoPath('packages/cli/dist/main.js'), ...args],
          {
            env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: configHome, ...env },
            timeout: 20_000,
          },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
            resolve({ code, stdout, stderr });
          },
        );
        child.stdin?.end();
      }),
    storedAccessToken: () =>
      (JSON.parse(readFileSync(credentialsPath(), 'utf8')) as { accessToken: string }).accessToken,
    credentialsPath,
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}
