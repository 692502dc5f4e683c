import type { Env } from '../command';

/** The development admin `gatehouse up` creates on the embedded stores (never with DATABASE_URL). */
export const devAdmin = { email: 'admin@gatehouse.local', password: 'Gatehouse-Dev-Admin-1!' } as const;

/**
 * The environment with a bootstrap admin for the auth service: the caller's own when set, else the
 * development admin, but only on embedded stores, where a well-known password protects nothing real.
 */
export function withDevAdmin(env: Env): { env: Env; notice?: string } {
  const email = env.GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL?.trim();
  if (email)
    return { env, notice: `Bootstrap admin: ${email} (password from GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD)` };
  if (env.DATABASE_URL?.trim()) return { env };
  return {
    env: {
      ...env,
      GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: devAdmin.email,
      GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: devAdmin.password,
    },
    notice:
      `Development admin: ${devAdmin.email} / ${devAdmin.password} ` +
      '(embedded stores only; set GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD to choose your own)',
  };
}
