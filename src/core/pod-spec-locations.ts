import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HashedJob } from './hashed-job';

/** Where an object keeps the `imagePullSecrets` of the pods it makes, and in which form. */
interface PullSecretLocation {
  /** JSON pointer of the object holding `imagePullSecrets`. */
  readonly path: string;
  /** `[{ name }]` as in a PodSpec, or plain names (SparkApplication). */
  readonly plainNames: boolean;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/**
 * Where each kind the library emits keeps pod specs: built-in workloads, and the custom resources whose spec
 * describes pods (the operators render the rest from their own configuration).
 */
function pullSecretLocations(json: any): PullSecretLocation[] {
  const spec = json.spec ?? {};
  const podSpec = (path: string) => ({ path, plainNames: false });
  const group = String(json.apiVersion ?? '').split('/')[0];
  switch (json.kind) {
    case 'Pod':
      return [podSpec('/spec')];
    case 'CronJob':
      return [podSpec('/spec/jobTemplate/spec/template/spec')];
    case 'PyTorchJob':
      return Object.keys(spec.pytorchReplicaSpecs ?? {}).map((role) => podSpec(`/spec/pytorchReplicaSpecs/${role}/template/spec`));
    case 'SparkApplication':
      return [{ path: '/spec', plainNames: true },
        ...['driver', 'executor'].filter((role) => spec[role]?.template?.spec).map((role) => podSpec(`/spec/${role}/template/spec`))];
    case 'Prometheus':
    case 'Alertmanager':
      return [podSpec('/spec')];
    case 'InferenceService':
      return ['predictor', 'transformer', 'explainer'].filter((part) => spec[part] !== undefined).map((part) => podSpec(`/spec/${part}`));
    case 'Server':
    case 'ServerConfig':
      return group === 'mlops.seldon.io' ? [podSpec('/spec/podSpec')] : [];
    case 'SeldonConfig':
      return group === 'mlops.seldon.io' ? (spec.components ?? []).map((_: unknown, i: number) => podSpec(`/spec/components/${i}/podSpec`)) : [];
    default:
      return WORKLOAD_KINDS.has(json.kind) && spec.template ? [podSpec('/spec/template/spec')] : [];
  }
}

/**
 * Adds image pull Secrets `names` to every pod spec of every object under `scope`, after those a placement gave.
 * Runs when the app synthesizes, so that it reaches the objects of every construct, added in any order.
 */
export function addPullSecrets(scope: IConstruct, names: string[]): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) {
      continue;
    }
    const json = child.toJson();
    for (const location of pullSecretLocations(json)) {
      const holder = location.path.split('/').slice(1).reduce((value: any, key) => value?.[key], json);
      const present: any[] = holder?.imagePullSecrets ?? [];
      const presentNames = present.map((entry) => (location.plainNames ? entry : entry.name));
      const merged = [...presentNames, ...names.filter((name) => !presentNames.includes(name))];
      const value = location.plainNames ? merged : merged.map((name) => ({ name }));
      const job = child.node.scope;
      if (job instanceof HashedJob && ApiObject.of(job) === child) {
        job._addPodSpecFields({ imagePullSecrets: value });
      } else if (holder === undefined) {
        child.addJsonPatch(JsonPatch.add(location.path, { imagePullSecrets: value }));
      } else {
        child.addJsonPatch(JsonPatch.add(`${location.path}/imagePullSecrets`, value));
      }
    }
  }
}
