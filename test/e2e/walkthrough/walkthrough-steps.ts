import { statSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../support/start-service';
import { cliUser, type CliUser } from './gatehouse-cli';
import { header, notesCaller, type Credential, type NotesCaller, type NotesOutcome } from './notes-caller';
import {
  adminEmail,
  adminPassword,
  startWalkthroughCluster,
  type WalkthroughCluster,
} from './walkthrough-cluster';

const userPassword = 'Walkthrough-Us3r-Passw0rd!';
/** The revocation bound the example runs with: NOTES_AUTH_CACHE_MAX_AGE_MS, default 1000 ms. */
const revocationBoundMs = 1000;
/** Process scheduling and the polling step on a shared machine. */
const pollSlackMs = 500;
/** How long "auth service stopped" may take to turn into refusals (cache expiry or stream loss, then a failed call). */
const failClosedWithinMs = 3000;

/**
 * The x-ratelimit-reset values a sliding window of `windowMs` can report for a call decided between
 * `from` and `to`: seconds until the counter is empty, i.e. the end of the next epoch-aligned window.
 */
function slidingWindowResets(windowMs: number, from: number, to: number): number[] {
  const resets = new Set<number>();
  for (let now = from; now <= to; now += 1) {
    resets.add(Math.ceil(((Math.floor(now / windowMs) + 2) * windowMs - now) / 1000));
  }
  return [...resets];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The README walkthrough, end to end, on one backend: the built services and example as processes,
 * driven through the built `gatehouse` command and a plain grpc-js client. Steps run in order; the
 * last two stop services.
 */
export function describeWalkthrough(backend: Backend): void {
  describe(
    `the walkthrough on ${{ embedded: 'the embedded stores', real: 'PostgreSQL and Redis', cluster: 'PostgreSQL and the Redis Cluster' }[backend]}`,
    { timeout: 60_000 },
    () => {
      let cluster: WalkthroughCluster;
      let notes: NotesCaller;
      const people: CliUser[] = [];
      let admin: CliUser;
      /** Every credential the walkthrough used: none may ever appear in a service's output. */
      const secrets: string[] = [userPassword, adminPassword];

      /** A new person who registers and logs in through the CLI: their user id and stored access token. */
      const signUp = async (label: string) => {
        const person = cliUser(label);
        people.push(person);
        const email = `${label}@walkthrough.test`;
        const auth = ['--addr', cluster.auth.address];
        const created = await person.run(
          ['users', 'create', '--email', email, '--name', label, '--json', ...auth],
          {
            GATEHOUSE_PASSWORD: userPassword,
          },
        );
        expect(created.stderr).toBe('');
        expect(created.code).toBe(0);
        const { userId } = JSON.parse(created.stdout) as { userId: string };
        const login = await person.run(['login', '--email', email, ...auth], {
          GATEHOUSE_PASSWORD: userPassword,
        });
        expect(login.stderr).toBe('');
        expect(login.code).toBe(0);
        expect(login.stdout).toContain(
          `Logged in as ${email}. Credentials saved to ${person.credentialsPath()}`,
        );
        const token = person.storedAccessToken();
        // The whole token, and its signature alone (a log that cut the token short would still leak it).
        secrets.push(token, token.split('.')[2]!);
        return { person, userId, token };
      };

      const listNotes = (credential: Credential) => notes.call('listNotes', {}, credential);

      /** Calls `attempt` every `everyMs` until it returns true; resolves the elapsed ms, or rejects after `withinMs`. */
      const within = async (withinMs: number, everyMs: number, attempt: () => Promise<boolean>) => {
        const started = Date.now();
        while (!(await attempt())) {
          if (Date.now() - started > withinMs) throw new Error(`not reached within ${withinMs} ms`);
          await sleep(everyMs);
        }
        return Date.now() - started;
      };

      beforeAll(async () => {
        cluster = await startWalkthroughCluster(backend);
        notes = notesCaller(cluster.notes.address);
        admin = cliUser('admin');
        people.push(admin);
        const login = await admin.run(['login', '--email', adminEmail, '--addr', cluster.auth.address], {
          GATEHOUSE_PASSWORD: adminPassword,
        });
        expect(login.code, login.stderr).toBe(0);
      }, 240_000);

      afterAll(async () => {
        notes?.close();
        await cluster?.stop();
        for (const person of people) person.remove();
      }, 60_000);

      it('reports the cluster SERVING through `gatehouse health`', async () => {
        const health = () => admin.run(['health', '--json', '--addr', cluster.health.address]);
        await within(10_000, 200, async () => (await health()).code === 0);
        const view = JSON.parse((await health()).stdout) as {
          status: string;
          components: { name: string; status: string }[];
        };
        expect(view.status).toBe('HEALTH_STATUS_SERVING');
        const services = view.components.filter((component) =>
          ['auth', 'rate-limit', 'cost-budget'].includes(component.name),
        );
        expect(services.map(({ name, status }) => `${name} ${status}`).sort()).toEqual([
          'auth HEALTH_STATUS_SERVING',
          'cost-budget HEALTH_STATUS_SERVING',
          'rate-limit HEALTH_STATUS_SERVING',
        ]);
      });

      it('registers and logs in through the CLI (credentials 0600), then calls the example: OK with x-ratelimit-*', async () => {
        const ann = await signUp('ann');
        expect(statSync(ann.person.credentialsPath()).mode & 0o777).toBe(0o600);
        const added = await notes.call('addNote', { text: 'buy milk' }, { bearer: ann.token });
        expect(added.code).toBe(status.OK);
        expect(added.response).toMatchObject({ note: { text: 'buy milk', author: ann.userId } });
        const before = Date.now();
        const listed = await listNotes({ bearer: ann.token });
        const after = Date.now();
        expect(listed.code).toBe(status.OK);
        expect((listed.response as { notes: { text: string }[] }).notes.map((note) => note.text)).toEqual([
          'buy milk',
        ]);
        // Shipped rules, free tier: the most restrictive is method-other, 20 per minute per user and method.
        expect(header(listed.metadata, 'x-ratelimit-limit')).toBe('20');
        expect(header(listed.metadata, 'x-ratelimit-remaining')).toBe('19');
        expect(slidingWindowResets(60_000, before, after)).toContain(
          Number(header(listed.metadata, 'x-ratelimit-reset')),
        );
        expect(header(listed.metadata, 'retry-after')).toBeUndefined();
      });

      it('refuses a call without a token UNAUTHENTICATED', async () => {
        const outcome = await listNotes(undefined);
        expect(outcome.code).toBe(status.UNAUTHENTICATED);
        expect(readErrorDetails(outcome.metadata).reason).toBe('CREDENTIAL_MISSING');
      });

      it('refuses the 21st ListNotes in a minute RESOURCE_EXHAUSTED with retry-after; other methods still pass', async () => {
        const bob = await signUp('bob');
        const outcomes: NotesOutcome[] = [];
        for (let call = 0; call < 21; call += 1) outcomes.push(await listNotes({ bearer: bob.token }));
        expect(outcomes.slice(0, 20).map((outcome) => outcome.code)).toEqual(Array(20).fill(status.OK));
        expect(
          outcomes.slice(0, 20).map((outcome) => header(outcome.metadata, 'x-ratelimit-remaining')),
        ).toEqual(Array.from({ length: 20 }, (_, call) => String(19 - call)));
        const refused = outcomes[20]!;
        expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
        expect(readErrorDetails(refused.metadata).reason).toBe('RATE_LIMITED');
        const retryAfter = Number(header(refused.metadata, 'retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        // Sliding window of 60 s: at most the rest of this window plus 3 s of the next, where the
        // 20 hits, weighted by their share still inside the sliding window, leave room for one.
        expect(retryAfter).toBeLessThanOrEqual(63);
        expect(header(refused.metadata, 'x-ratelimit-limit')).toBe('20');
        expect(header(refused.metadata, 'x-ratelimit-remaining')).toBe('0');
        // The limit is per user and method: AddNote has its own 20.
        expect((await notes.call('addNote', { text: 'still here' }, { bearer: bob.token })).code).toBe(
          status.OK,
        );
      });

      it('refuses Summarize RESOURCE_EXHAUSTED naming the scope once the admin sets a small budget with the CLI', async () => {
        const carol = await signUp('carol');
        await notes.call('addNote', { text: 'one two three four five six' }, { bearer: carol.token });
        const first = await notes.call('summarize', {}, { bearer: carol.token });
        expect(first.code).toBe(status.OK);
        expect(first.response).toEqual({ summary: 'one two three four five', costMicros: 100 });

        const budget = ['--addr', cluster.costBudget.address];
        const set = await admin.run([
          'budgets',
          'set',
          '--scope',
          `user:${carol.userId}`,
          '--limit-micros',
          '4000',
          ...budget,
        ]);
        expect(set.stderr).toBe('');
        expect(set.code).toBe(0);
        // The example reserves 5000 micros per Summarize; 4000 - 100 spent cannot hold it.
        const refused = await notes.call('summarize', {}, { bearer: carol.token });
        expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
        expect(refused.details).toContain(
          `budget of user:${carol.userId} exhausted: 5000 micros requested, 3900 micros`,
        );
        const details = readErrorDetails(refused.metadata);
        expect(details.reason).toBe('BUDGET_EXHAUSTED');
        expect(details.metadata?.scope).toBe(`user:${carol.userId}`);

        const got = await admin.run([
          'budgets',
          'get',
          '--scope',
          `user:${carol.userId}`,
          '--json',
          ...budget,
        ]);
        expect(JSON.parse(got.stdout)).toMatchObject({
          limitMicros: '4000',
          spentMicros: '100',
          reservedMicros: '0',
        });
      });

      it(`refuses an API key revoked with the CLI within the ${revocationBoundMs} ms bound (+${pollSlackMs} ms polling slack)`, async () => {
        const dave = await signUp('dave');
        const auth = ['--addr', cluster.auth.address];
        const created = await dave.person.run([
          'keys',
          'create',
          '--name',
          'ci',
          '--scope',
          'notes:read',
          '--json',
          ...auth,
        ]);
        expect(created.code, created.stderr).toBe(0);
        const { keyId, apiKey } = JSON.parse(created.stdout) as { keyId: string; apiKey: string };
        secrets.push(apiKey);
        // Used once, so the example holds it verified in its cache when it is revoked.
        expect((await listNotes({ apiKey })).code).toBe(status.OK);

        const revoked = await dave.person.run(['keys', 'revoke', keyId, ...auth]);
        expect(revoked.stdout).toBe(`Revoked API key ${keyId}.\n`);
        let last: NotesOutcome | undefined;
        const elapsed = await within(revocationBoundMs + pollSlackMs, 100, async () => {
          last = await listNotes({ apiKey });
          return last.code !== status.OK;
        });
        expect(last!.code).toBe(status.UNAUTHENTICATED);
        expect(readErrorDetails(last!.metadata).reason).toBe('API_KEY_REVOKED');
        expect(elapsed).toBeLessThanOrEqual(revocationBoundMs + pollSlackMs);
      });

      it('serves with the rate-limit service stopped (fail open) and counts the fallbacks', async () => {
        const erin = await signUp('erin');
        expect((await listNotes({ bearer: erin.token })).code).toBe(status.OK);
        const fallbacks = async () => {
          const metrics = await (await fetch(`${cluster.notes.opsUrl}/metrics`)).text();
          const sample = /^guard_ratelimit_fallbacks_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics);
          if (sample === null) throw new Error('guard_ratelimit_fallbacks_total missing from /metrics');
          return Number(sample[1]);
        };
        const before = await fallbacks();

        await cluster.rateLimit.stop();
        const served = await listNotes({ bearer: erin.token });
        expect(served.code).toBe(status.OK);
        expect(header(served.metadata, 'x-ratelimit-limit')).toBeUndefined();
        expect((await notes.call('addNote', { text: 'offline limits' }, { bearer: erin.token })).code).toBe(
          status.OK,
        );
        expect(await fallbacks()).toBe(before + 2);
      });

      it(`refuses calls UNAVAILABLE within ${failClosedWithinMs} ms of the auth service stopping (fail closed)`, async () => {
        const frank = await signUp('frank');
        expect((await listNotes({ bearer: frank.token })).code).toBe(status.OK);

        await cluster.auth.stop();
        const stoppedAt = Date.now();
        let last: NotesOutcome | undefined;
        await within(failClosedWithinMs, 100, async () => {
          last = await listNotes({ bearer: frank.token });
          return last.code !== status.OK;
        });
        expect(Date.now() - stoppedAt).toBeLessThanOrEqual(failClosedWithinMs);
        expect(last!.code).toBe(status.UNAVAILABLE);
        expect(readErrorDetails(last!.metadata).reason).toBe('AUTH_UNAVAILABLE');
      });

      it('never wrote a password, token or API key to the output of any service', () => {
        const services = [cluster.auth, cluster.rateLimit, cluster.costBudget, cluster.health, cluster.notes];
        const written = services.map((service) => service.output()).join('\n');
        expect(written).toContain('"msg":"rpc"');
        expect(secrets).toHaveLength(2 + 2 * 6 + 1);
        expect(secrets.filter((secret) => written.includes(secret))).toEqual([]);
      });
    },
  );
}
