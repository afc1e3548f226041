import { App, Chart, Testing } from 'cdk8s';
import {
  ArgoCdSyncWaves, ClusterOperator, ClusterPrerequisites, ClusterPrerequisitesProps, Kafka, SeldonOperatorConfig, SeldonRuntime,
} from '../../src';
import { objectsOfKind, synthValid } from '../util';

const WAVE = 'argocd.argoproj.io/sync-wave';

interface Cluster {
  readonly app: App;
  readonly platform: Chart;
  readonly argocd: Chart;
}

function cluster(): Cluster {
  const app = Testing.app();
  return { app, platform: new Chart(app, 'platform', { namespace: 'mlops' }), argocd: new Chart(app, 'argocd', { namespace: 'argocd' }) };
}

/** The validated output of the Argo CD chart with the prerequisites of `c`'s platform. */
function prerequisites(c: Cluster, props: ClusterPrerequisitesProps = {}): any[] {
  new ClusterPrerequisites(c.argocd, 'Operators', props);
  return synthValid(c.argocd);
}

function application(manifests: any[], name: string): any {
  return objectsOfKind(manifests, 'Application').find((app) => app.metadata.name === name);
}

function dataflowEnv(seldonConfig: any): Record<string, string> {
  const dataflow = seldonConfig.spec.components.find((c: any) => c.name === 'seldon-dataflow-engine').podSpec.containers[0];
  return Object.fromEntries(dataflow.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

describe('ClusterPrerequisites with Seldon', () => {
  const c = cluster();
  const kafka = new Kafka(c.platform, 'Kafka');
  new SeldonRuntime(c.platform, 'Seldon', { eventBus: kafka });
  const manifests = prerequisites(c);
  const [seldonConfig] = objectsOfKind(manifests, 'SeldonConfig');

  test('the setup chart without hodometer (no usage data; it also drops the chart\'s SeldonConfig), watching every namespace', () => {
    expect(application(manifests, 'seldon-core-v2-setup').spec.source.helm.valuesObject).toEqual({
      controller: { clusterwide: true },
      hodometer: { enabled: false },
    });
  });

  test("a restricted SeldonConfig 'default' in Seldon's namespace instead, after the CRDs and before the platform", () => {
    expect(seldonConfig.metadata).toMatchObject({
      name: 'default',
      namespace: 'seldon-mesh',
      annotations: { [WAVE]: '-5', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
    });
    const crdWave = Number(application(manifests, 'seldon-core-v2-crds').metadata.annotations[WAVE]);
    const controllerWave = Number(application(manifests, 'seldon-core-v2-setup').metadata.annotations[WAVE]);
    expect(crdWave).toBeLessThan(-5);
    expect(controllerWave).toBeLessThan(-5);
    expect(-5).toBeLessThan(ArgoCdSyncWaves.NAMESPACE);
    expect(seldonConfig.spec.components.map((component: any) => component.name)).toEqual([
      'seldon-scheduler', 'seldon-pipelinegateway', 'seldon-modelgateway', 'seldon-envoy', 'seldon-dataflow-engine',
    ]);
    for (const component of seldonConfig.spec.components) {
      expect(component.podSpec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      for (const container of component.podSpec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
      }
    }
  });

  test("the runtimes' Kafka in the SeldonConfig and the dataflow engine, not in the chart's values", () => {
    const bootstrap = kafka.bootstrapServers.join(',');
    expect(bootstrap).toMatch(/\.mlops\.svc:9092$/);
    expect(seldonConfig.spec.config.kafkaConfig['bootstrap.servers']).toBe(bootstrap);
    expect(dataflowEnv(seldonConfig).SELDON_KAFKA_BOOTSTRAP_SERVERS).toBe(bootstrap);
  });

  test("no ServerConfigs: the chart renders its own 'mlserver' and 'triton' whatever its values", () => {
    expect(objectsOfKind(manifests, 'ServerConfig')).toEqual([]);
    expect(objectsOfKind(manifests, 'SeldonConfig')).toHaveLength(1);
  });
});

describe('ClusterPrerequisites: where the SeldonConfig comes from', () => {
  test('a runtime without Kafka: a SeldonConfig without a broker', () => {
    const c = cluster();
    new SeldonRuntime(c.platform, 'Seldon');
    const [seldonConfig] = objectsOfKind(prerequisites(c, { kubernetesVersion: '1.33' }), 'SeldonConfig');
    expect(seldonConfig.spec.config.kafkaConfig['bootstrap.servers']).toBeUndefined();
    expect(dataflowEnv(seldonConfig).SELDON_KAFKA_BOOTSTRAP_SERVERS).toBeUndefined();
  });

  test('Seldon included without a runtime gets one; Seldon excluded gets none', () => {
    const included = cluster();
    expect(objectsOfKind(prerequisites(included, { include: [ClusterOperator.SELDON_CORE] }), 'SeldonConfig')).toHaveLength(1);
    const excluded = cluster();
    new SeldonRuntime(excluded.platform, 'Seldon');
    expect(objectsOfKind(prerequisites(excluded, { exclude: [ClusterOperator.SELDON_CORE] }), 'SeldonConfig')).toEqual([]);
  });

  test('a SeldonOperatorConfig of the platform is used instead, also for another cluster', () => {
    const c = cluster();
    new SeldonRuntime(c.platform, 'Seldon');
    const operator = new Chart(c.app, 'seldon-operator', { namespace: 'seldon-mesh' });
    new SeldonOperatorConfig(operator, 'Config', { serverConfigs: false });
    const manifests = prerequisites(c, { destinationName: 'serving-eu' });
    expect(objectsOfKind(manifests, 'SeldonConfig')).toEqual([]);
    expect(application(manifests, 'serving-eu-seldon-core-v2-setup').spec.source.helm.valuesObject.hodometer).toEqual({ enabled: false });
  });

  test('another cluster without a SeldonConfig of the platform is refused', () => {
    const c = cluster();
    new SeldonRuntime(c.platform, 'Seldon');
    expect(() => prerequisites(c, { destinationName: 'serving-eu' })).toThrow(
      "ClusterPrerequisites 'argocd/Operators': platform is invalid: it uses Seldon, whose operator needs a SeldonConfig in the target cluster, "
      + "and this chart's objects go to Argo CD's cluster; add new SeldonOperatorConfig(chart, 'SeldonConfig', { serverConfigs: false }) "
      + 'to a chart of the target cluster, before ClusterPrerequisites');
  });

  test("a SeldonOperatorConfig outside Seldon's namespace is refused", () => {
    const c = cluster();
    new SeldonRuntime(c.platform, 'Seldon');
    new SeldonOperatorConfig(c.platform, 'SeldonConfig', { namespace: 'mlops' });
    expect(() => prerequisites(c)).toThrow(
      "ClusterPrerequisites 'argocd/Operators': platform is invalid: SeldonOperatorConfig 'platform/SeldonConfig' is in namespace 'mlops', "
      + "and the operator reads its configuration from its own, 'seldon-mesh'; give it namespace: 'seldon-mesh'");
  });
});
