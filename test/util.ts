import { Chart, Testing } from 'cdk8s';
import { ExternalObject, ManifestValidator } from '../src/testing';

/** Synthesizes `chart` and fails the test with every finding of the validation harness. */
export function synthValid(chart: Chart, externalObjects: ExternalObject[] = []): any[] {
  return validManifests(Testing.synth(chart), externalObjects);
}

/**
 * Fails the test with every finding of the validation harness on `manifests` (e.g. several charts together),
 * including that every string, as `cdk8s synth` writes it, reads the same in YAML 1.1 parsers.
 */
export function validManifests(manifests: any[], externalObjects: ExternalObject[] = []): any[] {
  const findings = new ManifestValidator({ externalObjects }).validateManifests(manifests);
  if (findings.length > 0) {
    throw new Error(`validation harness findings:\n${ManifestValidator.format(findings)}`);
  }
  return manifests;
}

/** Every object of `kind`. */
export function objectsOfKind(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The one object of `kind` whose name contains `nameFragment`; fails when there is not exactly one. */
export function objectNamed(manifests: any[], kind: string, nameFragment: string): any {
  const matches = objectsOfKind(manifests, kind).filter((m) => m.metadata.name.includes(nameFragment));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind} named *${nameFragment}*, found ${matches.map((m) => m.metadata.name).join(', ') || 'none'}`);
  }
  return matches[0];
}

/**
 * How the chart's secret generator Job fills in the generated Secret named *`nameFragment`*: its entry in the Job's
 * `SECRETS` (`secretValues`, `values`, `format`, `length`), without the name.
 */
export function generatedSecretSpec(manifests: any[], nameFragment: string): any {
  const secretName = objectNamed(manifests, 'Secret', nameFragment).metadata.name;
  const generator = objectNamed(manifests, 'Job', 'mlopssecretgenerator');
  const env = generator.spec.template.spec.containers[0].env;
  const specs: any[] = JSON.parse(env.find((e: any) => e.name === 'SECRETS').value);
  const { name, ...spec } = specs.find((s) => s.name === secretName) ?? {};
  if (name === undefined) {
    throw new Error(`the secret generator does not fill in Secret ${secretName}`);
  }
  return spec;
}

/** The pod spec of a workload (Deployment, StatefulSet, Job, CronJob, Pod). */
export function podSpec(workload: any): any {
  if (workload.kind === 'Pod') return workload.spec;
  if (workload.kind === 'CronJob') return workload.spec.jobTemplate.spec.template.spec;
  return workload.spec.template.spec;
}

/** The container `name` of a workload, among containers and init containers. */
export function container(workload: any, name: string): any {
  const spec = podSpec(workload);
  const found = [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
  if (!found) {
    throw new Error(`no container '${name}' in ${workload.kind} ${workload.metadata.name}`);
  }
  return found;
}

/** A container's env as a name → entry map (`{ value }` or `{ valueFrom }`). */
export function envOf(c: any): Record<string, any> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.valueFrom ? { valueFrom: e.valueFrom } : { value: e.value }]));
}

/** A fresh chart in a fresh app, like `Testing.chart()`, with a namespace. */
export function testChart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/**
 * Expands a container's env the way the kubelet does: `$(NAME)` is replaced only when NAME was defined EARLIER in
 * the list (`$$` escapes); values from Secrets stand in as `<secret:name/key>`. Returns name → expanded value.
 */
export function expandEnvLikeKubelet(c: any): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const entry of c.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    const raw = ref ? `<secret:${ref.name}/${ref.key}>` : String(entry.value ?? '');
    defined[entry.name] = raw.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match: string, name?: string) =>
      match === '$$' ? '$' : name !== undefined && name in defined ? defined[name] : match);
  }
  return defined;
}

/**
 * The command a container runs behind `withUriFromCommand(uriEnv, ...)`: fails unless the container starts with the
 * URI launcher for `uriEnv`, and returns the command the launcher runs.
 */
export function launchedCommand(c: any, uriEnv: string): string[] {
  const [python, flag, launcher, name, ...command] = c.command;
  if (python !== 'python' || flag !== '-c' || !String(launcher).includes('os.execvp(argv[0], argv)') || name !== uriEnv) {
    throw new Error(`container ${c.name} does not start through the URI launcher for ${uriEnv}: ${JSON.stringify(c.command)}`);
  }
  return command;
}
