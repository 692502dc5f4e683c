import { describe, expect, it } from 'vitest';
import { isAllowedRedirect, parseRedirectPattern, type RedirectPattern } from './redirect-allowlist';

describe('the redirect allowlist', () => {
  const patterns = [
    'https://app.example.com/login/done',
    'http://127.0.0.1/callback',
    'http://[::1]/callback',
    'http://localhost:8400/callback',
    'http://127.0.0.1:9000/fixed',
  ].map((raw) => parseRedirectPattern(raw) as RedirectPattern);

  it.each([
    'https://app.example.com/login/done',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:50123/callback',
    'http://[::1]:50123/callback',
    'http://localhost:8400/callback',
    'http://127.0.0.1:9000/fixed',
  ])('allows %s', (uri) => expect(isAllowedRedirect(patterns, uri)).toBe(true));

  it.each([
    'https://app.example.com/login/done/',
    'https://APP.example.com/login/done',
    'https://app.example.com/login/done?next=/admin',
    'https://app.example.com/login/done#x',
    'https://app.example.com/login/x/../done',
    'https://app.example.com:443/login/done',
    'https://user@app.example.com/login/done',
    'https://app.example.com.evil.com/login/done',
    'https://127.0.0.1:50123/callback',
    'http://127.0.0.1:50123/callback/../other',
    'http://127.0.0.1:50123/Callback',
    'http://localhost:50123/callback',
    'http://127.0.0.1:9001/fixed',
    'http://127.0.0.2:50123/callback',
    'not a url',
  ])('refuses %s', (uri) => expect(isAllowedRedirect(patterns, uri)).toBe(false));
});
