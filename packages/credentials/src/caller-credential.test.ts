import { describe, expect, it } from 'vitest';
import { readCallerCredential } from './caller-credential';

const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln-_~+/==';

describe('readCallerCredential', () => {
  it.each([
    [`Bearer ${token}`, 'the canonical form'],
    [`bearer ${token}`, 'a lower-case scheme'],
    [`BEARER ${token}`, 'an upper-case scheme'],
    [`Bearer    ${token}`, 'several spaces after the scheme'],
    [`Bearer\t${token}`, 'a tab after the scheme'],
    [`  Bearer ${token} \t`, 'spaces and tabs around the value'],
  ])('reads %j (%s) as the bearer token', (authorization) => {
    expect(readCallerCredential({ authorization })).toEqual({ kind: 'bearer', value: token });
  });

  it.each([
    ['Basic dXNlcjpwYXNz', 'another scheme'],
    ['Bearer', 'a scheme without a token'],
    ['Bearer ', 'a scheme and a space'],
    [`Bearer${token}`, 'no space after the scheme'],
    [`Bearer ${token} extra`, 'two tokens'],
    [`Bearer ${token}\nx`, 'a line break'],
    ['Bearer a=b', 'padding inside the token'],
    ['Bearer tok!en', 'a character outside token68'],
    [token, 'a token without its scheme'],
  ])('refuses %j (%s) as CREDENTIAL_MALFORMED', (authorization) => {
    expect(readCallerCredential({ authorization })).toEqual({
      kind: 'refused',
      reason: 'CREDENTIAL_MALFORMED',
    });
  });

  it('reads x-api-key with surrounding spaces and tabs ignored', () => {
    expect(readCallerCredential({ apiKey: ' \tgh_live_abc ' })).toEqual({
      kind: 'api_key',
      value: 'gh_live_abc',
    });
  });

  it('prefers authorization when both are sent, even a malformed one', () => {
    expect(readCallerCredential({ authorization: `Bearer ${token}`, apiKey: 'gh_live_abc' })).toEqual({
      kind: 'bearer',
      value: token,
    });
    expect(readCallerCredential({ authorization: 'Basic x', apiKey: 'gh_live_abc' })).toEqual({
      kind: 'refused',
      reason: 'CREDENTIAL_MALFORMED',
    });
  });

  it('takes empty, blank and non-string values as absent', () => {
    expect(readCallerCredential({ authorization: ' \t ', apiKey: 'gh_live_abc' })).toEqual({
      kind: 'api_key',
      value: 'gh_live_abc',
    });
    for (const headers of [
      {},
      { authorization: '', apiKey: '  ' },
      { authorization: Buffer.from('Bearer x') },
    ]) {
      expect(readCallerCredential(headers)).toEqual({ kind: 'refused', reason: 'CREDENTIAL_MISSING' });
    }
  });
});
