import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, basename } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadPolicy, type CompiledPolicy } from '../src/policy/load.ts';
import { cpuCores, memoryBytes, renderKustomization, schemaProblems, type Manifest } from './helpers/kubernetes.ts';
import { PROJECT_ROOT } from './helpers/process.ts';

// The parts of the Kubernetes objects these rules read.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  restartPolicy?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: unknown; runAsGroup?: unknown; seccompProfile?: { type: string } };
  topologySpreadConstraints?: Array<{
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector?: { matchLabels?: Record<string, string> };
  }>;
  containers: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string }; hostPath?: unknown; emptyDir?: unknown }>;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}
interface Deployment extends Manifest {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface CronJob extends Manifest {
  spec: { concurrencyPolicy?: string; jobTemplate: { spec: { template: PodTemplate } } };
}
interface NetworkPolicyPeer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface NetworkPolicyRule {
  ports?: Array<{ protocol?: string; port?: number | string }>;
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
}

const MiB = 2 ** 20;
/** docs/deploy.md: a worker's resident memory with the bundle and the store SDKs loaded, before any body. */
const WORKER_BASE_BYTES = 100 * MiB;
/** docs/deploy.md: what the cluster's primary process is allowed (about 40 MiB measured). */
const PRIMARY_BYTES = 64 * MiB;
/** Settings that only the listening gateway has; everything else in its environment the sweep must have too. */
const GATEWAY_ONLY_ENV = new Set([
  'HOST',
  'PORT',
  'S3_PORT',
  'SHUTDOWN_GRACE_MS',
  'RESIDENCY_WORKERS',
  'RESIDENCY_MAX_INFLIGHT_BYTES',
  'RESIDENCY_SESSION_KEY',
]);

const OVERLAYS = ['production', 'development'] as const;

function only<T extends Manifest>(manifests: Manifest[], kind: string): T {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0] as T;
}

function envOf(container: Container): Map<string, EnvVar> {
  const names = (container.env ?? []).map((variable) => variable.name);
  assert.equal(new Set(names).size, names.length, `${container.name}: no variable is set twice`);
  return new Map((container.env ?? []).map((variable) => [variable.name, variable]));
}

function plainValue(env: Map<string, EnvVar>, name: string): string {
  const value = env.get(name)?.value;
  assert.ok(value !== undefined, `${name} is set to a value`);
  return value;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The TCP port a URL connects to. */
function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

function allowsEgress(rules: NetworkPolicyRule[], protocol: string, port: number): boolean {
  return rules.some((rule) => (rule.ports ?? []).some((allowed) => (allowed.protocol ?? 'TCP') === protocol && allowed.port === port));
}

for (const overlay of OVERLAYS) {
  describe(`deploy/kubernetes/overlays/${overlay}`, () => {
    let manifests: Manifest[];
    let deployment: Deployment;
    let cronJob: CronJob;
    let gateway: Container;
    let sweep: Container;
    let pods: Array<{ what: string; template: PodTemplate }>;
    let policy: CompiledPolicy;

    before(async () => {
      manifests = await renderKustomization(`deploy/kubernetes/overlays/${overlay}`);
      deployment = only<Deployment>(manifests, 'Deployment');
      cronJob = only<CronJob>(manifests, 'CronJob');
      pods = [
        { what: 'gateway', template: deployment.spec.template },
        { what: 'sweep', template: cronJob.spec.jobTemplate.spec.template },
      ];
      assert.equal(deployment.spec.template.spec.containers.length, 1);
      assert.equal(cronJob.spec.jobTemplate.spec.template.spec.containers.length, 1);
      gateway = deployment.spec.template.spec.containers[0]!;
      sweep = cronJob.spec.jobTemplate.spec.template.spec.containers[0]!;
      const policyPath = plainValue(envOf(gateway), 'RESIDENCY_POLICY');
      const mount = gateway.volumeMounts?.find((candidate) => candidate.mountPath === dirname(policyPath));
      const volume = deployment.spec.template.spec.volumes?.find((candidate) => candidate.name === mount?.name);
      const configMap = manifests.find((manifest) => manifest.kind === 'ConfigMap' && manifest.metadata.name === volume?.configMap?.name);
      const text = (configMap?.data as Record<string, string> | undefined)?.[basename(policyPath)];
      assert.ok(text !== undefined, `RESIDENCY_POLICY (${policyPath}) is a file of a ConfigMap the render holds`);
      const loaded = loadPolicy(text);
      assert.ok(loaded.ok, `the overlay's policy passes residency-proxy check: ${loaded.ok ? '' : loaded.errors.join('; ')}`);
      policy = loaded.policy;
    });

    test('every rendered manifest is valid against the Kubernetes schemas, with no field they do not define', () => {
      assert.deepEqual(manifests.map((manifest) => manifest.kind).sort(), [
        'ConfigMap',
        'CronJob',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Namespace',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]);
      for (const manifest of manifests) assert.deepEqual(schemaProblems(manifest), [], `${manifest.kind} ${manifest.metadata.name}`);
    });

    test('the validation is not vacuous: a misspelt field, a user id as a string and a container without a name are refused', () => {
      const misspelt = structuredClone(deployment) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
      misspelt.spec.template.spec.securityContxt = misspelt.spec.template.spec.securityContext;
      assert.deepEqual(schemaProblems(misspelt as unknown as Manifest), ['/spec/template/spec/securityContxt: not a field of Deployment']);
      const stringUser = structuredClone(deployment);
      (stringUser.spec.template.spec.securityContext as Record<string, unknown>).runAsUser = '1000';
      assert.match(schemaProblems(stringUser).join('\n'), /securityContext\/runAsUser: type/);
      const nameless = structuredClone(cronJob) as unknown as {
        spec: { jobTemplate: { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } } };
      };
      delete nameless.spec.jobTemplate.spec.template.spec.containers[0]!.name;
      assert.match(schemaProblems(nameless as unknown as Manifest).join('\n'), /containers\/0: required/);
    });

    test('everything lives in the overlay\'s namespace, which enforces the "restricted" Pod Security Standard', () => {
      const namespace = only(manifests, 'Namespace');
      assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
      for (const manifest of manifests.filter((candidate) => candidate.kind !== 'Namespace')) {
        assert.equal(manifest.metadata.namespace, namespace.metadata.name, `${manifest.kind} ${manifest.metadata.name}`);
      }
    });

    test('gateway and sweep pods run as the numeric non-root user 1000:1000, read-only, without capabilities, under RuntimeDefault seccomp', () => {
      for (const { what, template } of pods) {
        const spec = template.spec;
        assert.equal(spec.securityContext?.runAsNonRoot, true, what);
        assert.equal(spec.securityContext?.runAsUser, 1000, `${what}: a number, which the kubelet can check against runAsNonRoot`);
        assert.equal(spec.securityContext?.runAsGroup, 1000, what);
        assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', what);
        assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, what);
        assert.ok(!spec.volumes?.some((volume) => volume.hostPath !== undefined), `${what}: no hostPath volume`);
        for (const container of spec.containers) {
          const context = container.securityContext;
          assert.equal(context?.allowPrivilegeEscalation, false, what);
          assert.equal(context?.readOnlyRootFilesystem, true, what);
          assert.notEqual(context?.privileged, true, what);
          assert.deepEqual(context?.capabilities?.drop, ['ALL'], what);
          assert.equal(context?.capabilities?.add, undefined, what);
          assert.ok(context?.runAsUser === undefined && context?.runAsNonRoot === undefined, `${what}: the container does not override the pod's user`);
          for (const mount of container.volumeMounts ?? []) {
            const volume = spec.volumes?.find((candidate) => candidate.name === mount.name);
            assert.ok(volume, `${what}: volume ${mount.name} exists`);
            if (volume.configMap) assert.equal(mount.readOnly, true, `${what}: ${mount.mountPath} is read-only`);
          }
        }
      }
    });

    test('the user and the CLI path are those of the image deploy/Dockerfile builds', async () => {
      const dockerfile = await readFile(`${PROJECT_ROOT}deploy/Dockerfile`, 'utf8');
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      const user = /^USER (\d+):(\d+)\s*$/m.exec(runtime);
      assert.ok(user, 'the runtime stage names its user by number');
      for (const { what, template } of pods) {
        assert.deepEqual([template.spec.securityContext?.runAsUser, template.spec.securityContext?.runAsGroup], [Number(user[1]), Number(user[2])], what);
      }
      assert.match(runtime, /^WORKDIR \/app\s*$/m);
      assert.match(runtime, /^COPY --from=\S+ \/app\/dist\/node \.\/dist\/node\s*$/m, 'the bundle the CronJob runs is in the image');
    });

    test('both run under the ServiceAccount the render defines, with no Kubernetes API token mounted', () => {
      const accounts = manifests.filter((manifest) => manifest.kind === 'ServiceAccount').map((manifest) => manifest.metadata.name);
      for (const { what, template } of pods) {
        assert.ok(template.spec.serviceAccountName && accounts.includes(template.spec.serviceAccountName), `${what} names a ServiceAccount that exists`);
        assert.equal(template.spec.automountServiceAccountToken, false, what);
      }
      assert.equal(deployment.spec.template.spec.serviceAccountName, cronJob.spec.jobTemplate.spec.template.spec.serviceAccountName);
    });

    test("the image is pinned to the release (package.json's version) or a digest, the same for gateway and sweep", async () => {
      const { version } = JSON.parse(await readFile(`${PROJECT_ROOT}package.json`, 'utf8')) as { version: string };
      for (const container of [gateway, sweep]) {
        const pinned = container.image.endsWith(`:${version}`) || /@sha256:[0-9a-f]{64}$/.test(container.image);
        assert.ok(pinned, `${container.name}: ${container.image}`);
        assert.doesNotMatch(container.image, /:latest$/);
      }
      assert.equal(sweep.image, gateway.image);
    });

    test('ports 8787 (v1) and 8788 (S3 front door) are what the gateway listens on, the Service forwards and the NetworkPolicy admits', () => {
      const env = envOf(gateway);
      const ports = new Map((gateway.ports ?? []).map((port) => [port.name, port.containerPort]));
      assert.deepEqual(
        [...ports],
        [
          ['http', 8787],
          ['s3', 8788],
        ],
      );
      assert.equal(plainValue(env, 'PORT'), '8787');
      assert.equal(plainValue(env, 'S3_PORT'), '8788');
      assert.equal(plainValue(env, 'HOST'), '0.0.0.0');
      const service = only(manifests, 'Service') as Manifest & {
        spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string | number }> };
      };
      const targets = service.spec.ports.map((port) => (typeof port.targetPort === 'string' ? ports.get(port.targetPort) : port.targetPort));
      assert.deepEqual(targets.sort(), [8787, 8788]);
      assert.ok(selects(service.spec.selector, deployment.spec.template.metadata.labels), 'the Service selects the gateway pods');
      assert.ok(!selects(service.spec.selector, cronJob.spec.jobTemplate.spec.template.metadata.labels), 'and never a sweep pod');
      const networkPolicy = only(manifests, 'NetworkPolicy') as Manifest & { spec: { ingress: NetworkPolicyRule[] } };
      const admitted = networkPolicy.spec.ingress.flatMap((rule) => (rule.ports ?? []).map((port) => port.port));
      assert.deepEqual(admitted.sort(), [8787, 8788]);
    });

    test('readiness on /readyz, liveness on /healthz, both on the v1 port', () => {
      const http = (gateway.ports ?? []).find((port) => port.containerPort === 8787)?.name;
      for (const [probe, path] of [
        [gateway.readinessProbe, '/readyz'],
        [gateway.livenessProbe, '/healthz'],
      ] as const) {
        assert.equal(probe?.httpGet?.path, path);
        assert.ok(probe?.httpGet?.port === 8787 || probe?.httpGet?.port === http, `${path} on 8787`);
      }
    });

    test('a preStop delay, then SHUTDOWN_GRACE_MS, both inside terminationGracePeriodSeconds', () => {
      const delay = gateway.lifecycle?.preStop?.sleep?.seconds;
      assert.ok(delay !== undefined && delay >= 5, `a preStop sleep of a few seconds, so the endpoints drop the pod before it stops accepting (${delay})`);
      const graceMs = Number(plainValue(envOf(gateway), 'SHUTDOWN_GRACE_MS'));
      const period = deployment.spec.template.spec.terminationGracePeriodSeconds;
      assert.ok(
        period !== undefined && period > delay + graceMs / 1000,
        `terminationGracePeriodSeconds ${period} > preStop ${delay} s + SHUTDOWN_GRACE_MS ${graceMs} ms`,
      );
    });

    test('RESIDENCY_WORKERS matches the CPU limit, and the memory limit holds every worker with its in-flight body budget', () => {
      const env = envOf(gateway);
      const limits = gateway.resources?.limits ?? {};
      const requests = gateway.resources?.requests ?? {};
      assert.ok(limits.cpu && limits.memory && requests.cpu && requests.memory, 'CPU and memory requested and limited');
      const workers = Number(plainValue(env, 'RESIDENCY_WORKERS'));
      assert.equal(workers, Math.max(1, Math.floor(cpuCores(limits.cpu))), `RESIDENCY_WORKERS ${workers} for a CPU limit of ${limits.cpu}`);
      const budget = Number(plainValue(env, 'RESIDENCY_MAX_INFLIGHT_BYTES'));
      assert.ok(Number.isInteger(budget) && budget >= 16 * MiB, `an explicit in-flight budget (${budget})`);
      const needed = workers * (WORKER_BASE_BYTES + budget) + (workers > 1 ? PRIMARY_BYTES : 0);
      assert.ok(
        memoryBytes(limits.memory) >= needed,
        `memory limit ${limits.memory} >= ${needed / MiB} MiB for ${workers} worker(s) with ${budget / MiB} MiB of bodies each`,
      );
      assert.equal(memoryBytes(requests.memory), memoryBytes(limits.memory), 'memory requested as limited: never evicted for using what it was sized for');
    });

    test("the policy's secrets (RESIDENCY_SESSION_KEY, each store's connection string) come from Secrets, never from values", () => {
      const connectionStrings = Object.values(policy.document.stores).flatMap((store) => (store.type === 'azure-blob' ? [store.connectionStringEnv] : []));
      const secretNames = ['RESIDENCY_SESSION_KEY', 'RESIDENCY_HASH_SECRET', ...connectionStrings];
      if (overlay === 'production') assert.ok(secretNames.includes('AZURE_EU'), 'the production policy has the Azure store of AZURE_EU');
      for (const container of [gateway, sweep]) {
        const env = envOf(container);
        for (const name of secretNames) {
          if (container === sweep && GATEWAY_ONLY_ENV.has(name)) continue;
          const variable = env.get(name);
          assert.ok(variable?.valueFrom?.secretKeyRef, `${container.name}: ${name} from a Secret`);
          assert.equal(variable.value, undefined);
          assert.notEqual(variable.valueFrom.secretKeyRef.optional, true, `${container.name}: a missing ${name} stops the pod rather than starting it without`);
        }
      }
    });

    test('the NetworkPolicy covers gateway and sweep and lets out only DNS and the ports of the stores and the JWKS', () => {
      const networkPolicy = only(manifests, 'NetworkPolicy') as Manifest & {
        spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; egress: NetworkPolicyRule[] };
      };
      assert.deepEqual(networkPolicy.spec.policyTypes.sort(), ['Egress', 'Ingress']);
      for (const { what, template } of pods) assert.ok(selects(networkPolicy.spec.podSelector.matchLabels, template.metadata.labels), what);
      const egress = networkPolicy.spec.egress;
      assert.ok(allowsEgress(egress, 'UDP', 53) && allowsEgress(egress, 'TCP', 53), 'DNS');
      const jwks = policy.document.auth.jwks;
      const urls = [...('url' in jwks ? [jwks.url] : [])];
      for (const store of Object.values(policy.document.stores)) {
        if (store.type === 's3') urls.push(store.endpoint ?? `https://s3.${store.region}.amazonaws.com`);
        if (store.type === 'azure-blob') urls.push('https://account.blob.core.windows.net');
      }
      assert.ok(urls.length > 1);
      for (const url of urls) assert.ok(allowsEgress(egress, 'TCP', portOf(url)), `egress to ${url}`);
      const openPorts = new Set(egress.flatMap((rule) => (rule.ports ?? []).map((port) => port.port)));
      assert.ok(!egress.some((rule) => rule.ports === undefined || rule.ports.length === 0), 'every egress rule names its ports');
      assert.deepEqual([...openPorts].sort(), [...new Set([53, ...urls.map(portOf)])].sort(), 'no port beyond DNS, the stores and the JWKS');
    });

    test('the Deployment leaves its replica count to the autoscaler, which keeps at least two in production; a drain always leaves one serving', () => {
      assert.equal(deployment.spec.replicas, undefined, 'an apply never resets what the autoscaler chose');
      assert.ok(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
      const autoscaler = only(manifests, 'HorizontalPodAutoscaler') as Manifest & {
        spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: Array<{ resource?: { name: string } }> };
      };
      assert.deepEqual(autoscaler.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      assert.ok(autoscaler.spec.minReplicas <= autoscaler.spec.maxReplicas);
      assert.ok(
        autoscaler.spec.metrics.some((metric) => metric.resource?.name === 'cpu'),
        'scales on CPU, which the pods request',
      );
      if (overlay === 'production') assert.ok(autoscaler.spec.minReplicas >= 2, `minReplicas ${autoscaler.spec.minReplicas}`);
      const budget = only(manifests, 'PodDisruptionBudget') as Manifest & {
        spec: { maxUnavailable?: number; minAvailable?: number; selector: { matchLabels: Record<string, string> } };
      };
      assert.deepEqual(budget.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
      assert.equal(budget.spec.minAvailable, undefined);
      assert.equal(budget.spec.maxUnavailable, 1, 'one pod at a time: never blocks a drain, never takes all');
    });

    test('pods spread over zones (at most one more in any zone) and over nodes', () => {
      const constraints = deployment.spec.template.spec.topologySpreadConstraints ?? [];
      const zone = constraints.find((constraint) => constraint.topologyKey === 'topology.kubernetes.io/zone');
      assert.equal(zone?.maxSkew, 1);
      assert.equal(zone?.whenUnsatisfiable, 'DoNotSchedule');
      assert.ok(constraints.some((constraint) => constraint.topologyKey === 'kubernetes.io/hostname'));
      for (const constraint of constraints)
        assert.ok(selects(constraint.labelSelector?.matchLabels, deployment.spec.template.metadata.labels), constraint.topologyKey);
    });

    test("the sweep CronJob: Forbid overlap, the built CLI, resources, and the gateway's environment but for listener settings", async () => {
      assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
      const { scripts } = JSON.parse(await readFile(`${PROJECT_ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
      assert.match(scripts.build!, /src\/cli\/main\.ts.*--outdir=dist\/node/, 'npm run build makes dist/node/cli/main.mjs');
      assert.deepEqual(sweep.command, ['node', 'dist/node/cli/main.mjs', 'sweep']);
      const limits = sweep.resources?.limits ?? {};
      assert.ok(limits.cpu && limits.memory && sweep.resources?.requests?.cpu && sweep.resources.requests.memory, 'CPU and memory requested and limited');
      assert.ok(['Never', 'OnFailure'].includes(cronJob.spec.jobTemplate.spec.template.spec.restartPolicy ?? ''));
      const sweepEnv = envOf(sweep);
      for (const [name, variable] of envOf(gateway)) {
        if (GATEWAY_ONLY_ENV.has(name)) assert.ok(!sweepEnv.has(name), `the sweep has no ${name}`);
        else assert.deepEqual(sweepEnv.get(name), variable, `the sweep's ${name} is the gateway's`);
      }
      assert.deepEqual(
        sweep.volumeMounts?.find((mount) => mount.mountPath === '/etc/residency'),
        gateway.volumeMounts?.find((mount) => mount.mountPath === '/etc/residency'),
      );
      const volumeOf = (template: PodTemplate) => template.spec.volumes?.find((volume) => volume.configMap !== undefined);
      assert.deepEqual(volumeOf(cronJob.spec.jobTemplate.spec.template), volumeOf(deployment.spec.template), 'the same policy ConfigMap');
    });
  });
}
