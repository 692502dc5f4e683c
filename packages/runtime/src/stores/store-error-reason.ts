/**
 * Why a store operation failed, as the `reason` label of `store_errors_total` and in logs: the
 * error word of a Redis reply (`moved`, `noauth`, `wrongtype`, ...), or `timeout`, `connection`,
 * `reply_error` (another Redis error reply) and `error` (anything else).
 */
export const storeErrorReasons = [
  'moved',
  'ask',
  'crossslot',
  'clusterdown',
  'masterdown',
  'tryagain',
  'noauth',
  'wrongpass',
  'noperm',
  'wrongtype',
  'readonly',
  'oom',
  'loading',
  'busy',
  'noscript',
  'unknown_command',
  'script_error',
  'timeout',
  'connection',
  'reply_error',
  'error',
] as const;

export type StoreErrorReason = (typeof storeErrorReasons)[number];

/** Redis error words (the reply's first word) with a reason of their own. */
const replyWords: ReadonlyMap<string, StoreErrorReason> = new Map([
  ['MOVED', 'moved'],
  ['ASK', 'ask'],
  ['CROSSSLOT', 'crossslot'],
  ['CLUSTERDOWN', 'clusterdown'],
  ['MASTERDOWN', 'masterdown'],
  ['TRYAGAIN', 'tryagain'],
  ['NOAUTH', 'noauth'],
  ['WRONGPASS', 'wrongpass'],
  ['NOPERM', 'noperm'],
  ['WRONGTYPE', 'wrongtype'],
  ['READONLY', 'readonly'],
  ['OOM', 'oom'],
  ['LOADING', 'loading'],
  ['BUSY', 'busy'],
  ['NOSCRIPT', 'noscript'],
]);

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);

/**
 * The reason of a store error, looking through wrappers (`cause`) to the first one that says more
 * than `error`. A cluster client's "Too many Cluster redirections" is classified by its last error.
 */
export function storeErrorReason(error: unknown): StoreErrorReason {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    const reason = reasonOf(current);
    if (reason !== 'error') return reason;
    current = current instanceof Error ? current.cause : undefined;
  }
  return 'error';
}

/** The text of the Redis reply inside an error's message, e.g. "MOVED 866 127.0.0.1:7001". */
export function redisReplyOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const last = /Last error: (?:ReplyError: )?(.*)$/s.exec(message);
  return (last?.[1] ?? message).trim();
}

function reasonOf(error: unknown): StoreErrorReason {
  if (!(error instanceof Error)) return 'error';
  // Errors that know their reason (a topology check's, a store timeout's) say so.
  const own = (error as { reason?: unknown }).reason;
  if (typeof own === 'string' && own !== 'error' && (storeErrorReasons as readonly string[]).includes(own)) {
    return own as StoreErrorReason;
  }
  const name = error.name;
  if (name === 'StoreTimeoutError' || /timed out/i.test(error.message)) return 'timeout';
  const reply = redisReplyOf(error);
  const word = /^[A-Z]+/.exec(reply)?.[0] ?? '';
  const known = replyWords.get(word);
  if (known !== undefined) return known;
  if (word === 'ERR') {
    if (/^ERR unknown command/i.test(reply)) return 'unknown_command';
    if (/^ERR (user_script|Error running script)/i.test(reply)) return 'script_error';
  }
  if (name === 'ReplyError') return 'reply_error';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && connectionCodes.has(code)) return 'connection';
  if (
    name === 'MaxRetriesPerRequestError' ||
    name === 'ClusterAllFailedError' ||
    /Connection is closed|isn't writeable|isn't ready|enableOfflineQueue|startup nodes|refresh slots|not reachable/i.test(
      error.message,
    )
  ) {
    return 'connection';
  }
  return 'error';
}
