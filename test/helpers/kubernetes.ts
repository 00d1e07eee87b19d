import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { validate as validateConfigMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as validateCronJob } from 'kubernetes-models/_schemas/IoK8sApiBatchV1CronJob';
import { validate as validateDeployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as validateHorizontalPodAutoscaler } from 'kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler';
import { validate as validateNamespace } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as validateNetworkPolicy } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy';
import { validate as validatePodDisruptionBudget } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget';
import { validate as validateService } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as validateServiceAccount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';
import { PROJECT_ROOT } from './process.ts';

const execFileAsync = promisify(execFile);

/** One rendered manifest, as plain JSON. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Renders a Kustomize folder (relative to the project) with kubectl's built-in Kustomize. */
export async function renderKustomization(folder: string): Promise<Manifest[]> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', folder], { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      throw new Error('rendering the manifests needs kubectl (its built-in Kustomize, v5) on the PATH');
    },
  );
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`${folder}: ${document.errors.join('; ')}`);
    return document.toJSON() as Manifest;
  });
}

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** The Kubernetes OpenAPI schemas of the kinds this project deploys, as compiled by kubernetes-models. */
const SCHEMAS: Record<string, SchemaValidator> = {
  'v1/Namespace': validateNamespace,
  'v1/ServiceAccount': validateServiceAccount,
  'v1/ConfigMap': validateConfigMap,
  'v1/Service': validateService,
  'apps/v1/Deployment': validateDeployment,
  'policy/v1/PodDisruptionBudget': validatePodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': validateHorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': validateNetworkPolicy,
  'batch/v1/CronJob': validateCronJob,
};

/**
 * Checks a manifest against its kind's schema, strictly: besides types,
 * enums and required fields, a field the schema does not define (a typo such
 * as `securityContxt`, which the API server would drop) is an error, as with
 * kubeconform's -strict. Returns the problems, empty when valid.
 */
export function schemaProblems(manifest: Manifest): string[] {
  const validate = SCHEMAS[`${manifest.apiVersion}/${manifest.kind}`];
  if (validate === undefined) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  const reads = new Map<object, Set<PropertyKey>>();
  const enumerated = new Set<object>();
  const valid = validate(recordingProxy(manifest, reads, enumerated));
  if (!valid) return (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.keyword} ${JSON.stringify(error.params)}`);
  return fieldsNeverRead(manifest, '', reads, enumerated).map((path) => `${path}: not a field of ${manifest.kind}`);
}

/**
 * The compiled validators read each property their schema defines and
 * enumerate the keys only of maps (labels, ConfigMap data): so a key of an
 * object that was neither read nor enumerated is unknown to the schema.
 */
function recordingProxy<T>(value: T, reads: Map<object, Set<PropertyKey>>, enumerated: Set<object>): T {
  if (value === null || typeof value !== 'object') return value;
  const target = value as object;
  return new Proxy(target, {
    get(object, key, receiver) {
      if (!reads.has(object)) reads.set(object, new Set());
      reads.get(object)!.add(key);
      return recordingProxy(Reflect.get(object, key, receiver), reads, enumerated);
    },
    ownKeys(object) {
      enumerated.add(object);
      return Reflect.ownKeys(object);
    },
  }) as T;
}

function fieldsNeverRead(value: unknown, path: string, reads: Map<object, Set<PropertyKey>>, enumerated: Set<object>): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => fieldsNeverRead(item, `${path}/${index}`, reads, enumerated));
  return Object.entries(value).flatMap(([key, child]) =>
    !enumerated.has(value) && !reads.get(value)?.has(key) ? [`${path}/${key}`] : fieldsNeverRead(child, `${path}/${key}`, reads, enumerated),
  );
}

/** A Kubernetes memory quantity in bytes ("256Mi", "1Gi", "512M", "1000"). */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] ?? '']!;
  return Number(match[1]) * unit;
}

/** A Kubernetes CPU quantity in cores ("2", "500m", "1.5"). */
export function cpuCores(quantity: string | number): number {
  const text = String(quantity);
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(text);
  if (!match) throw new Error(`not a CPU quantity: ${text}`);
  return match[2] === 'm' ? Number(match[1]) / 1000 : Number(match[1]);
}
