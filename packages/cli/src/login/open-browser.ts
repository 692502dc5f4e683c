import { spawn } from 'node:child_process';
import type { Env } from '../command';

/**
 * Opens `url` in the user's browser: $BROWSER when set (the common convention), else the
 * platform's opener. Resolves undefined once it started, or why it could not (no opener, no
 * display): the caller then relies on the URL it printed.
 */
export function openBrowser(url: string, env: Env): Promise<string | undefined> {
  const custom = env.BROWSER?.trim();
  const [command, ...args] =
    custom !== undefined && custom !== ''
      ? custom.split(/\s+/)
      : process.platform === 'darwin'
        ? ['open']
        : process.platform === 'win32'
          ? ['rundll32', 'url.dll,FileProtocolHandler']
          : ['xdg-open'];
  return new Promise((resolve) => {
    const child = spawn(command ?? 'xdg-open', [...args, url], {
      stdio: 'ignore',
      detached: true,
      env: env as NodeJS.ProcessEnv,
    });
    child.once('error', (error) => resolve(error.message));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}
