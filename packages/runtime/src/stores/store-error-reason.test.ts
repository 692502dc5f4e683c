import { describe, expect, it } from 'vitest';
import { RedisTopologyError } from './redis/connect-redis';
import { redisReplyOf, storeErrorReason } from './store-error-reason';

const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('storeErrorReason', () => {
  it.each([
    ['MOVED 866 127.0.0.1:7001', 'moved'],
    ['ASK 866 127.0.0.1:7001', 'ask'],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'crossslot'],
    ['CLUSTERDOWN The cluster is down', 'clusterdown'],
    ['NOAUTH Authentication required.', 'noauth'],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'wrongpass'],
    ["NOPERM this user has no permissions to run the 'evalsha' command", 'noperm'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'wrongtype'],
    ["READONLY You can't write against a read only replica.", 'readonly'],
    ["OOM command not allowed when used memory > 'maxmemory'.", 'oom'],
    ['LOADING Redis is loading the dataset in memory', 'loading'],
    ["ERR unknown command 'EVALSHA', with args beginning with: ", 'unknown_command'],
    ['ERR user_script:3: Script attempted to access a non local key', 'script_error'],
    ['ERR value is not an integer or out of range', 'reply_error'],
  ])('a reply %j is %s', (message, reason) => {
    expect(storeErrorReason(reply(message))).toBe(reason);
  });

  it('reads through wrappers and a cluster client redirection error', () => {
    const wrapped = new Error('store failed', { cause: reply('NOAUTH Authentication required.') });
    expect(storeErrorReason(wrapped)).toBe('noauth');
    const redirections = new Error(
      'Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down',
    );
    expect(storeErrorReason(redirections)).toBe('clusterdown');
    expect(redisReplyOf(redirections)).toBe('CLUSTERDOWN The cluster is down');
  });

  it('tells timeouts and lost connections from other errors', () => {
    expect(storeErrorReason(new Error('Command timed out'))).toBe('timeout');
    expect(storeErrorReason(Object.assign(new Error('x'), { name: 'StoreTimeoutError' }))).toBe('timeout');
    expect(storeErrorReason(new Error('Connection is closed.'))).toBe('connection');
    expect(
      storeErrorReason(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe('connection');
    expect(storeErrorReason(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(
      'connection',
    );
    expect(storeErrorReason(new Error('duplicate key value violates unique constraint'))).toBe('error');
    expect(storeErrorReason('not an error')).toBe('error');
  });

  it('takes the reason an error states itself', () => {
    expect(storeErrorReason(new RedisTopologyError('moved', 'serving 5461 of 16384 slots'))).toBe('moved');
  });
});
