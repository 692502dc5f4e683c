import type { CliContext } from '../command';
import { UsageError } from '../usage-error';

/**
 * The password from stdin (`--password-stdin`, one line, the newline dropped) or env
 * `GATEHOUSE_PASSWORD`. Never a flag value: flags end up in shell history and `ps`.
 */
export async function readPassword(fromStdin: boolean, context: CliContext): Promise<string> {
  if (fromStdin) {
    if (context.stdin === undefined) throw new UsageError('--password-stdin: there is no standard input');
    const chunks: Buffer[] = [];
    for await (const chunk of context.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    const password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password === '') throw new UsageError('--password-stdin: standard input was empty');
    return password;
  }
  const fromEnv = context.env.GATEHOUSE_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new UsageError('a password is required: pipe it with --password-stdin or set GATEHOUSE_PASSWORD');
}
