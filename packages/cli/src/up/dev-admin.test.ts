import { describe, expect, it } from 'vitest';
import { devAdmin, withDevAdmin } from './dev-admin';

describe('withDevAdmin', () => {
  it('adds the development admin on embedded stores and says so', () => {
    const { env, notice } = withDevAdmin({ PATH: '/bin' });
    expect(env).toEqual({
      PATH: '/bin',
      GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: devAdmin.email,
      GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: devAdmin.password,
    });
    expect(notice).toContain(`${devAdmin.email} / ${devAdmin.password}`);
  });

  it('never adds it with DATABASE_URL, and keeps an admin the caller chose without printing its password', () => {
    expect(withDevAdmin({ DATABASE_URL: 'postgres://db/x' })).toEqual({
      env: { DATABASE_URL: 'postgres://db/x' },
    });
    const own = withDevAdmin({
      GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: 'me@x.io',
      GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: 'S3cret!pass',
    });
    expect(own.env.GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL).toBe('me@x.io');
    expect(own.notice).not.toContain('S3cret');
  });
});
