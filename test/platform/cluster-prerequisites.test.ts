import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  ClusterOperator, ClusterPrerequisites, ClusterPrerequisitesProps, Kafka, KservePredictor, KserveTrafficMirror, ModelFormat, ModelSource,
  JobSubmission, PlatformTls, PyTorchDdpJob, SeldonRuntime, SparkJob,
} from '../../src';
import { OPERATOR_VERSION_SETS } from '../../src/platform/operator-versions';
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

function predictor(chart: Chart, name: string): KservePredictor {
  return new KservePredictor(chart, name, { name, model: ModelSource.fromUri(`s3://models/${name}`), modelFormat: ModelFormat.SKLEARN });
}

/** The Applications of the prerequisites, by name, from the validated output of the Argo CD chart. */
function applications({ argocd }: Cluster, props: ClusterPrerequisitesProps = {}): Record<string, any> {
  new ClusterPrerequisites(argocd, 'Operators', props);
  return Object.fromEntries(objectsOfKind(synthValid(argocd), 'Application').map((application) => [application.metadata.name, application]));
}

describe('a KServe platform on Kubernetes 1.28', () => {
  const c = cluster();
  predictor(c.platform, 'iris');
  new ClusterPrerequisites(c.argocd, 'Operators');
  const manifests = synthValid(c.argocd);
  const apps = Object.fromEntries(objectsOfKind(manifests, 'Application').map((application) => [application.metadata.name, application]));

  test('installs cert-manager and KServe, in that order, and nothing else', () => {
    expect(Object.keys(apps)).toEqual(['cert-manager', 'kserve-crd', 'kserve']);
  });

  test('cert-manager: the Jetstack chart v1.16.5 with its CRDs, in its namespace, first', () => {
    expect(apps['cert-manager'].metadata).toMatchObject({ name: 'cert-manager', namespace: 'argocd', annotations: { [WAVE]: '-30' } });
    expect(apps['cert-manager'].spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'https://charts.jetstack.io',
        chart: 'cert-manager',
        targetRevision: 'v1.16.5',
        helm: { releaseName: 'cert-manager', valuesObject: { crds: { enabled: true } } },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'cert-manager' },
      syncPolicy: {
        automated: { prune: false, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    });
  });

  test('KServe 0.14.1 from ghcr.io as Argo CD 2.14 reads OCI charts: registry path and chart, CRDs a wave before the controller', () => {
    expect(apps['kserve-crd'].spec.source).toEqual({
      repoURL: 'ghcr.io/kserve/charts', chart: 'kserve-crd', targetRevision: 'v0.14.1', helm: { releaseName: 'kserve-crd' },
    });
    expect(apps.kserve.spec.source).toMatchObject({ repoURL: 'ghcr.io/kserve/charts', chart: 'kserve', targetRevision: 'v0.14.1' });
    expect([apps['kserve-crd'].metadata.annotations[WAVE], apps.kserve.metadata.annotations[WAVE]]).toEqual(['-20', '-10']);
    expect(apps.kserve.spec.destination.namespace).toBe('kserve');
  });

  test('KServe runs RawDeployment without ModelMesh, and its storage initializer passes Pod Security restricted', () => {
    expect(apps.kserve.spec.source.helm.valuesObject).toEqual({
      kserve: {
        controller: { deploymentMode: 'RawDeployment' },
        modelmesh: { enabled: false },
        storage: {
          containerSecurityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      },
    });
  });

  test('ghcr.io is declared as a Helm OCI repository: a Secret with nothing secret', () => {
    expect(objectsOfKind(manifests, 'Secret')).toEqual([{
      apiVersion: 'v1',
      kind: 'Secret',
      immutable: false,
      metadata: expect.objectContaining({
        name: 'ghcr-io-kserve-charts',
        namespace: 'argocd',
        labels: expect.objectContaining({ 'argocd.argoproj.io/secret-type': 'repository' }),
        annotations: { [WAVE]: '-30' },
      }),
      stringData: { name: 'ghcr-io-kserve-charts', url: 'ghcr.io/kserve/charts', type: 'helm', enableOCI: 'true' },
    }]);
  });
});

describe('selection by what the platform uses', () => {
  test('a platform without Seldon does not install Seldon; one with a SeldonRuntime does, watching every namespace, with its Kafka', () => {
    const without = cluster();
    predictor(without.platform, 'iris');
    expect(Object.keys(applications(without)).filter((name) => name.startsWith('seldon'))).toEqual([]);

    const withSeldon = cluster();
    const kafka = new Kafka(withSeldon.platform, 'Kafka');
    new SeldonRuntime(withSeldon.platform, 'Seldon', { eventBus: kafka });
    const apps = applications(withSeldon);
    expect(Object.keys(apps)).toEqual(['seldon-core-v2-crds', 'seldon-core-v2-setup']);
    expect(apps['seldon-core-v2-crds'].spec.source).toEqual({
      repoURL: 'https://seldonio.github.io/helm-charts', chart: 'seldon-core-v2-crds', targetRevision: '2.6.0', helm: { releaseName: 'seldon-core-v2-crds' },
    });
    expect(apps['seldon-core-v2-setup'].spec.destination.namespace).toBe('seldon-mesh');
    // hodometer off drops the chart's SeldonConfig `default`; the restricted one of SeldonOperatorConfig replaces it,
    // with the runtimes' Kafka (cluster-prerequisites-seldon.test.ts).
    expect(apps['seldon-core-v2-setup'].spec.source.helm.valuesObject).toEqual({
      controller: { clusterwide: true },
      hodometer: { enabled: false },
    });
  });

  test('a SparkJob installs the spark-operator watching its namespace, webhook on', () => {
    const c = cluster();
    new SparkJob(c.platform, 'Features', { mainApplicationFile: 'local:///opt/app/job.py', operatorJobNamespaces: ['mlops'] });
    const apps = applications(c);
    expect(Object.keys(apps)).toEqual(['spark-operator']);
    expect(apps['spark-operator'].spec).toMatchObject({
      source: {
        repoURL: 'https://kubeflow.github.io/spark-operator',
        chart: 'spark-operator',
        targetRevision: '2.5.2',
        helm: { valuesObject: { webhook: { enable: true }, spark: { jobNamespaces: ['mlops'] } } },
      },
      destination: { namespace: 'spark-operator' },
    });
  });

  test('a PyTorchDdpJob installs the training-operator from its kustomize overlay (no chart), in kubeflow', () => {
    const c = cluster();
    new PyTorchDdpJob(c.platform, 'Mnist', { image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py' });
    const apps = applications(c);
    expect(Object.keys(apps)).toEqual(['training-operator']);
    expect(apps['training-operator'].spec.source).toEqual({
      repoURL: 'https://github.com/kubeflow/trainer.git', path: 'manifests/overlays/standalone', targetRevision: 'v1.9.4',
    });
    expect(apps['training-operator'].spec.destination.namespace).toBe('kubeflow');
  });

  test('jobs that pipelines submit from templates install their operators too, though no PyTorchJob or SparkApplication is in the manifests', () => {
    const c = cluster();
    const fromTemplate = { submission: JobSubmission.TEMPLATE, ttlAfterFinished: Duration.days(1) };
    new PyTorchDdpJob(c.platform, 'Mnist', { image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py', ...fromTemplate });
    new SparkJob(c.platform, 'Features', { mainApplicationFile: 'local:///opt/app/job.py', operatorJobNamespaces: ['mlops'], ...fromTemplate });
    const kinds = Testing.synth(c.platform).map((o) => o.kind);
    expect(kinds).not.toContain('PyTorchJob');
    expect(kinds).not.toContain('SparkApplication');
    const apps = applications(c);
    expect(Object.keys(apps).sort()).toEqual(['spark-operator', 'training-operator']);
    expect(apps['spark-operator'].spec.source.helm.valuesObject.spark.jobNamespaces).toEqual(['mlops']);
  });

  test('traffic mirroring installs Istio base, then istiod', () => {
    const c = cluster();
    new KserveTrafficMirror(c.platform, 'Shadow', { primary: predictor(c.platform, 'iris-a'), mirror: predictor(c.platform, 'iris-b') });
    const apps = applications(c);
    expect(Object.keys(apps)).toEqual(['cert-manager', 'kserve-crd', 'kserve', 'istio-base', 'istiod']);
    expect(['istio-base', 'istiod'].map((name) => [apps[name].spec.source.chart, apps[name].spec.source.targetRevision, apps[name].metadata.annotations[WAVE]]))
      .toEqual([['base', '1.24.6', '-20'], ['istiod', '1.24.6', '-10']]);
    expect(apps.istiod.spec.source.repoURL).toBe('https://istio-release.storage.googleapis.com/charts');
    expect(apps.istiod.spec.destination.namespace).toBe('istio-system');
  });

  test('PlatformTls: cert-manager keeps its CA in the trust namespace, which trust-manager reads', () => {
    const c = cluster();
    new PlatformTls(c.platform, 'Tls', { namespaces: ['mlops'], trustNamespace: 'platform-trust' });
    const apps = applications(c);
    expect(Object.keys(apps)).toEqual(['cert-manager', 'trust-manager']);
    expect(apps['cert-manager'].spec.source.helm.valuesObject).toEqual({ crds: { enabled: true }, clusterResourceNamespace: 'platform-trust' });
    expect(apps['trust-manager'].spec.source).toEqual({
      repoURL: 'https://charts.jetstack.io',
      chart: 'trust-manager',
      targetRevision: 'v0.24.0',
      helm: {
        releaseName: 'trust-manager',
        valuesObject: { crds: { enabled: true }, defaultPackage: { enabled: true }, app: { trust: { namespace: 'platform-trust' } } },
      },
    });
    expect(apps['trust-manager'].metadata.annotations[WAVE]).toBe('-20');
    expect(apps['trust-manager'].spec.destination.namespace).toBe('trust-manager');
  });

  test('only the constructs in `platform` are scanned', () => {
    const c = cluster();
    predictor(c.platform, 'iris');
    const other = new Chart(c.app, 'other', { namespace: 'other' });
    new SeldonRuntime(other, 'Seldon');
    expect(Object.keys(applications(c, { platform: [c.platform] }))).toEqual(['cert-manager', 'kserve-crd', 'kserve']);
  });

  test('include adds an operator and what it needs; exclude leaves one out', () => {
    const c = cluster();
    predictor(c.platform, 'iris');
    expect(Object.keys(applications(c, { include: [ClusterOperator.TRUST_MANAGER, ClusterOperator.ISTIO], exclude: [ClusterOperator.CERT_MANAGER] })))
      .toEqual(['trust-manager', 'kserve-crd', 'kserve', 'istio-base', 'istiod']);
  });

  test('a destination cluster by name prefixes the Applications and the repository Secret', () => {
    const c = cluster();
    predictor(c.platform, 'iris');
    const apps = applications(c, { destinationName: 'serving-eu', project: 'platform' });
    expect(Object.keys(apps)).toEqual(['serving-eu-cert-manager', 'serving-eu-kserve-crd', 'serving-eu-kserve']);
    expect(apps['serving-eu-kserve'].spec.destination).toEqual({ name: 'serving-eu', namespace: 'kserve' });
    expect(apps['serving-eu-kserve'].spec.project).toBe('platform');
    expect(apps['serving-eu-kserve'].spec.source.helm.releaseName).toBe('kserve');
    expect(objectsOfKind(Testing.synth(c.argocd), 'Secret').map((secret) => secret.metadata.name)).toEqual(['serving-eu-ghcr-io-kserve-charts']);
  });
});

describe('the newest set (Kubernetes 1.33 to 1.36)', () => {
  const c = cluster();
  predictor(c.platform, 'iris');
  const prerequisites = new ClusterPrerequisites(c.argocd, 'Operators', { kubernetesVersion: '1.35', include: ClusterOperator.all() });
  const manifests = synthValid(c.argocd);
  const apps = Object.fromEntries(objectsOfKind(manifests, 'Application').map((application) => [application.metadata.name, application]));

  test('pins the newest releases; Seldon stays on 2.6.0 and the training-operator on v1.9.4', () => {
    expect(prerequisites.versionSet).toBe('newest');
    expect(ClusterOperator.all().map((operator) => [operator.name, prerequisites.versionOf(operator)])).toEqual([
      ['cert-manager', 'v1.21.1'], ['trust-manager', 'v0.24.0'], ['kserve', 'v0.20.0'], ['prometheus-operator', 'v0.93.0'],
      ['training-operator', 'v1.9.4'], ['spark-operator', 'v2.5.2'], ['seldon-core', 'v2.6.0'], ['istio', '1.30.3'],
    ]);
  });

  test('OCI charts are native oci:// sources of Argo CD 3 (path .): no repository Secret', () => {
    expect(apps['cert-manager'].spec.source).toEqual({
      repoURL: 'oci://quay.io/jetstack/charts/cert-manager',
      path: '.',
      targetRevision: 'v1.21.1',
      helm: { releaseName: 'cert-manager', valuesObject: { crds: { enabled: true } } },
    });
    expect(apps['kserve-crd'].spec.source).toEqual({
      repoURL: 'oci://ghcr.io/kserve/charts/kserve-crd', path: '.', targetRevision: 'v0.20.0', helm: { releaseName: 'kserve-crd' },
    });
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
  });

  test('KServe 0.20 names the raw mode Standard, and its runtimes are a chart of their own, after the controller', () => {
    expect(apps.kserve.spec.source).toMatchObject({ repoURL: 'oci://ghcr.io/kserve/charts/kserve-resources', targetRevision: 'v0.20.0' });
    expect(apps.kserve.spec.source.helm.valuesObject.kserve.controller).toEqual({ deploymentMode: 'Standard' });
    expect(apps['kserve-runtime-configs'].spec.source).toMatchObject({
      repoURL: 'oci://ghcr.io/kserve/charts/kserve-runtime-configs', helm: { valuesObject: { kserve: { servingruntime: { enabled: true } } } },
    });
    expect(apps['kserve-runtime-configs'].metadata.annotations[WAVE]).toBe('-5');
  });

  test('every Application is one of the table, at its version, in its namespace', () => {
    const newest = OPERATOR_VERSION_SETS[1];
    const expected = newest.releases.flatMap((release) => release.applications.map((application) => [
      application.name, application.source.version, release.namespace, `${application.wave}`,
    ]));
    const actual = Object.values(apps)
      .map((app: any) => [app.metadata.name, app.spec.source.targetRevision, app.spec.destination.namespace, app.metadata.annotations[WAVE]]);
    expect(actual)
      .toEqual(expected);
  });
});

describe('the 1.28 set, every operator', () => {
  test('every Application is one of the table, at its version, in its namespace, before the platform\'s waves', () => {
    const apps = applications(cluster(), { include: ClusterOperator.all() });
    const expected = OPERATOR_VERSION_SETS[0].releases.flatMap((release) => release.applications.map((application) => [
      application.name, application.source.version, release.namespace,
    ]));
    expect(Object.values(apps).map((app) => [app.metadata.name, app.spec.source.targetRevision, app.spec.destination.namespace])).toEqual(expected);
    expect(Object.values(apps).every((app) => Number(app.metadata.annotations[WAVE]) < -3)).toBe(true);
    expect(apps['prometheus-operator'].spec.source).toMatchObject({
      repoURL: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      targetRevision: '88.3.0',
      helm: {
        valuesObject: { crds: { enabled: true }, prometheusOperator: { enabled: true }, prometheus: { enabled: false }, grafana: { enabled: false } },
      },
    });
  });

  test('1.28 to 1.31 take the 1.28 set', () => {
    for (const kubernetesVersion of ['1.28', '1.31']) {
      const prerequisites = new ClusterPrerequisites(cluster().argocd, 'Operators', { kubernetesVersion });
      expect([prerequisites.versionSet, prerequisites.versionOf(ClusterOperator.CERT_MANAGER)]).toEqual(['1.28', 'v1.16.5']);
    }
  });
});

describe('bad input', () => {
  test('an unknown operator name', () => {
    expect(() => ClusterOperator.of('seldon')).toThrow(
      "ClusterOperator.of: name 'seldon' is invalid: no such operator in the version table; give one of 'cert-manager', 'trust-manager', "
      + "'kserve', 'prometheus-operator', 'training-operator', 'spark-operator', 'seldon-core', 'istio'");
    expect(ClusterOperator.of('seldon-core')).toBe(ClusterOperator.SELDON_CORE);
  });

  test.each(['1.27', '1.32', 'abc'])('kubernetesVersion %s', (kubernetesVersion) => {
    expect(() => new ClusterPrerequisites(cluster().argocd, 'Operators', { kubernetesVersion })).toThrow(
      `ClusterPrerequisites 'argocd/Operators': kubernetesVersion '${kubernetesVersion}' is invalid: the version table has sets for 1.28 to 1.31 `
      + "and 1.33 to 1.36; give the cluster's minor version, e.g. '1.28' or '1.33'");
  });

  test('an operator both included and excluded', () => {
    expect(() => new ClusterPrerequisites(cluster().argocd, 'Operators', { include: [ClusterOperator.ISTIO], exclude: [ClusterOperator.ISTIO] }))
      .toThrow("ClusterPrerequisites 'argocd/Operators': include and exclude both name 'istio'; remove it from one");
  });

  test('a chart without a namespace', () => {
    expect(() => new ClusterPrerequisites(new Chart(Testing.app(), 'argocd'), 'Operators')).toThrow(
      "ClusterPrerequisites 'argocd/Operators': the chart has no namespace: Applications must be created in Argo CD's namespace; give the chart one, e.g. namespace: 'argocd'");
  });

  test('two trust namespaces', () => {
    const c = cluster();
    new PlatformTls(c.platform, 'Tls', { namespaces: ['mlops'] });
    new PlatformTls(new Chart(c.app, 'other', { namespace: 'other' }), 'Tls', { namespaces: ['other'], trustNamespace: 'other-trust' });
    expect(() => new ClusterPrerequisites(c.argocd, 'Operators')).toThrow(
      "ClusterPrerequisites 'argocd/Operators': platform is invalid: it has several trust namespaces of PlatformTls (cert-manager; other-trust): "
      + 'the cluster has one cert-manager cluster resource namespace; give every PlatformTls the same trustNamespace');
  });

  test('destinationName and destinationServer together', () => {
    expect(() => new ClusterPrerequisites(cluster().argocd, 'Operators', { destinationName: 'eu', destinationServer: 'https://eu.example.com' })).toThrow(
      "ClusterPrerequisites 'argocd/Operators': destinationName 'eu' and destinationServer 'https://eu.example.com' are both given: Argo CD takes one; remove one");
  });
});

test('the Application health check is the one Argo CD documents', () => {
  expect(ClusterPrerequisites.APPLICATION_HEALTH_CHECK_KEY).toBe('resource.customizations.health.argoproj.io_Application');
  expect(ClusterPrerequisites.APPLICATION_HEALTH_CHECK).toContain('hs.status = obj.status.health.status');
});
