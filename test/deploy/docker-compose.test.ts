import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configFactsOf, exampleServices, gatehouseServices, isReadBy } from './config-keys';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Compose = { services: Record<string, any>; volumes?: Record<string, unknown> };

// No container engine runs here, so the file is checked the way compose would read it.
const compose = parse(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), { merge: true }) as Compose;

describe('docker-compose.yml', () => {
  it('runs every Gatehouse service plus PostgreSQL, Redis, Jaeger and Prometheus', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...gatehouseServices, ...exampleServices, 'postgres', 'redis', 'jaeger', 'prometheus'].sort(),
    );
  });

  it('makes every depends_on target exist and have a health check', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [target, condition] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[target], `${name} depends on ${target}`).toBeDefined();
        expect(compose.services[target].healthcheck, `${target} health check`).toBeDefined();
        expect(condition).toEqual({ condition: 'service_healthy' });
      }
    }
  });

  it.each(gatehouseServices)('%s: built entry point, default ports, probe on its gRPC port', (name) => {
    const service = compose.services[name];
    const facts = configFactsOf(name);
    expect(service.command).toEqual([`services/${name}/dist/main.js`]);
    expect(existsSync(`${repoRoot}services/${name}/src/main.ts`)).toBe(true);
    expect(service.ports).toEqual([
      `${facts.grpcPort}:${facts.grpcPort}`,
      `${facts.opsPort}:${facts.opsPort}`,
    ]);
    expect(service.healthcheck.test.slice(0, 6)).toEqual([
      'CMD',
      'node',
      'packages/cli/dist/main.js',
      'probe',
      '--addr',
      `127.0.0.1:${facts.grpcPort}`,
    ]);
  });

  it('runs the example from its built entry point behind the services it calls', () => {
    const notes = compose.services.notes;
    const facts = configFactsOf('notes');
    expect(notes.command).toEqual(['examples/notes/dist/main.js']);
    expect(existsSync(`${repoRoot}examples/notes/src/main.ts`)).toBe(true);
    expect(notes.ports).toEqual([`${facts.grpcPort}:${facts.grpcPort}`, `${facts.opsPort}:${facts.opsPort}`]);
    expect(notes.healthcheck.test).toContain(`127.0.0.1:${facts.grpcPort}`);
    expect(Object.keys(notes.depends_on).sort()).toEqual(['auth', 'cost-budget', 'rate-limit']);
  });

  it.each([...gatehouseServices, ...exampleServices])('%s: sets only variables the service reads', (name) => {
    const variables = Object.keys(compose.services[name].environment ?? {});
    expect(variables.length).toBeGreaterThan(0);
    expect(variables.filter((variable) => !isReadBy(name, variable))).toEqual([]);
  });

  it('keeps PostgreSQL data in a named volume and secrets in .env', () => {
    expect(compose.services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes ?? {})).toEqual(['pgdata']);
    const example = readFileSync(`${repoRoot}.env.example`, 'utf8');
    expect(example).toMatch(/^POSTGRES_PASSWORD=/m);
    expect(compose.services.postgres.environment.POSTGRES_PASSWORD).toBe(
      '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}',
    );
  });

  it("mounts the rate limiter's rules where RATELIMIT_CONFIG points, for hot reload", () => {
    const rateLimit = compose.services['rate-limit'];
    expect(rateLimit.volumes).toEqual([
      `./services/rate-limit/config:${rateLimit.environment.RATELIMIT_CONFIG}:ro`,
    ]);
    expect(existsSync(`${repoRoot}services/rate-limit/config/gatehouse.yaml`)).toBe(true);
  });

  it('scrapes every ops port with Prometheus', () => {
    const prometheus = readFileSync(`${repoRoot}deploy/prometheus/prometheus.yml`, 'utf8');
    for (const name of gatehouseServices)
      expect(prometheus).toContain(`'${name}:${configFactsOf(name).opsPort}'`);
  });
});
