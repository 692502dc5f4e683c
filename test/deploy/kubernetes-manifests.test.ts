import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { configFactsOf, gatehouseServices, isReadBy } from './config-keys';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
// Skipped on a machine without kubectl, but never in CI, where the manifests must be rendered.
if (!hasKubectl && process.env.CI === 'true') throw new Error('CI: kubectl is not installed');
if (!hasKubectl) console.warn('kubectl is not installed: the Kubernetes manifest tests are skipped');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function render(overlay: string): Manifest[] {
  const output = execFileSync('kubectl', ['kustomize', `k8s/overlays/${overlay}`], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return parseAllDocuments(output).map((document) => document.toJSON() as Manifest);
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);

describe.skipIf(!hasKubectl).each(['dev', 'prod'])('k8s/overlays/%s', (overlay) => {
  const manifests = hasKubectl ? render(overlay) : [];
  const deployments = ofKind(manifests, 'Deployment').filter(
    (d) => d.metadata.labels?.['app.kubernetes.io/part-of'] === 'gatehouse',
  );
  const commonConfig = ofKind(manifests, 'ConfigMap').find((c) =>
    c.metadata.name.startsWith('gatehouse-common'),
  );

  it('deploys every Gatehouse service into the gatehouse namespace', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...gatehouseServices].sort());
    for (const manifest of manifests.filter((m) => m.kind !== 'Namespace')) {
      expect(manifest.metadata.namespace, `${manifest.kind}/${manifest.metadata.name}`).toBe('gatehouse');
    }
  });

  it.each(gatehouseServices)('%s: native gRPC probes on the ports its config defaults to', (service) => {
    const deployment = named(deployments, 'Deployment', service)!;
    const container = deployment.spec.template.spec.containers[0];
    const facts = configFactsOf(service);
    const ports = Object.fromEntries(container.ports.map((p: Manifest) => [p.name, p.containerPort]));
    expect(ports).toEqual({ grpc: facts.grpcPort, ops: facts.opsPort });
    const { startupProbe, livenessProbe, readinessProbe } = container;
    for (const probe of [startupProbe, livenessProbe, readinessProbe])
      expect(probe.grpc.port).toBe(facts.grpcPort);
    expect(livenessProbe.grpc.service).toBe('');
    expect(readinessProbe.grpc.service).toMatch(/^gatehouse\.[a-z]+\.v1\.[A-Za-z]+Service$/);
    expect(readinessProbe.grpc.service).not.toBe(livenessProbe.grpc.service);
  });

  it.each(gatehouseServices)('%s: resources, non-root, read-only, no capabilities', (service) => {
    const pod = named(deployments, 'Deployment', service)!.spec.template.spec;
    const container = pod.containers[0];
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it.each(gatehouseServices)('%s: terminates only after the drain time', (service) => {
    const pod = named(deployments, 'Deployment', service)!.spec.template.spec;
    const graceMs = Number(commonConfig?.data.SHUTDOWN_GRACE_MS);
    expect(graceMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
  });

  it.each(gatehouseServices)('%s: sets only variables the service reads', (service) => {
    const container = named(deployments, 'Deployment', service)!.spec.template.spec.containers[0];
    const names = [
      ...(container.env ?? []).map((e: Manifest) => e.name as string),
      ...(container.envFrom ?? []).flatMap((source: Manifest) => {
        const map = named(manifests, 'ConfigMap', source.configMapRef.name);
        expect(map, `ConfigMap ${source.configMapRef.name}`).toBeDefined();
        return Object.keys(map!.data);
      }),
    ];
    expect(names.filter((name) => !isReadBy(service, name))).toEqual([]);
  });

  it('references only Secrets and ConfigMaps that exist (prod: Secrets created out of band)', () => {
    const external = overlay === 'prod' ? ['gatehouse-database', 'gatehouse-redis', 'gatehouse-auth'] : [];
    for (const deployment of ofKind(manifests, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      for (const env of pod.containers.flatMap((c: Manifest) => c.env ?? [])) {
        const secret = env.valueFrom?.secretKeyRef?.name;
        if (secret !== undefined && !external.includes(secret))
          expect(named(manifests, 'Secret', secret)).toBeDefined();
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.configMap) expect(named(manifests, 'ConfigMap', volume.configMap.name)).toBeDefined();
      }
    }
  });

  it('selects pods with every Service, autoscaler and disruption budget', () => {
    const podLabels = ofKind(manifests, 'Deployment').map((d) => d.spec.template.metadata.labels);
    const matches = (selector: Record<string, string>) =>
      podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    for (const service of ofKind(manifests, 'Service')) expect(matches(service.spec.selector)).toBe(true);
    for (const budget of ofKind(manifests, 'PodDisruptionBudget'))
      expect(matches(budget.spec.selector.matchLabels)).toBe(true);
    for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
      expect(named(manifests, 'Deployment', hpa.spec.scaleTargetRef.name)).toBeDefined();
    }
  });

  it("mounts the rate limiter's shipped rules, unchanged, where RATELIMIT_CONFIG points", () => {
    const rules = named(manifests, 'ConfigMap', 'gatehouse-ratelimit-rules');
    const shipped = readFileSync(`${repoRoot}services/rate-limit/config/gatehouse.yaml`, 'utf8');
    expect(rules?.data['gatehouse.yaml']).toBe(shipped);
    const container = named(deployments, 'Deployment', 'rate-limit')!.spec.template.spec.containers[0];
    const configPath = container.env.find((e: Manifest) => e.name === 'RATELIMIT_CONFIG').value;
    expect(container.volumeMounts).toContainEqual({ name: 'rules', mountPath: configPath, readOnly: true });
  });

  it('prod runs on a Redis Cluster; dev on its one in-cluster Redis', () => {
    expect(commonConfig?.data.REDIS_CLUSTER).toBe(overlay === 'prod' ? 'true' : undefined);
    for (const service of gatehouseServices) expect(isReadBy(service, 'REDIS_CLUSTER')).toBe(true);
  });

  it('sizes replicas for the environment', () => {
    const expected = overlay === 'prod' ? 3 : 1;
    for (const deployment of deployments) expect(deployment.spec.replicas).toBe(expected);
    for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler'))
      expect(hpa.spec.minReplicas).toBe(expected);
    if (overlay === 'prod') {
      for (const deployment of deployments) {
        expect(deployment.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
      }
    } else {
      expect(
        ['postgres', 'redis', 'jaeger'].map((name) => named(manifests, 'Deployment', name)?.metadata.name),
      ).toEqual(['postgres', 'redis', 'jaeger']);
    }
  });
});
