/**
 * The version table of the operators `ClusterPrerequisites` installs: two sets, one for Kubernetes 1.28 (the CRDs of
 * imports/ come from these releases) and one with the newest releases for current clusters (the CRDs that differ are in
 * imports/newest/). The README's prerequisites table and imports/SOURCES.md are tested against it
 * (test/platform/operator-versions.test.ts). Every chart version and repository was checked in the upstream repositories
 * at the tag (Chart.yaml, values.yaml, install docs).
 */
import { ClusterOperator } from './cluster-operator';

/** Where Argo CD gets one Application's manifests. */
export interface OperatorSource {
  /**
   * `helm`: a chart of a Helm repository (`repoUrl` https, `chart`); `oci-helm`: a chart of an OCI registry as Argo CD
   * 2.x reads it (`repoUrl` is the registry path without a scheme, `chart`, and a repository Secret with `enableOCI`);
   * `oci`: a native OCI source of Argo CD 3.1+ (`oci://<registry path>/<chart>`, path `.`); `kustomize`: a folder of a
   * git repository (`repoUrl`, `path`).
   */
  readonly type: 'helm' | 'oci-helm' | 'oci' | 'kustomize';
  readonly repoUrl: string;
  readonly chart?: string;
  readonly path?: string;
  /** The chart version, or the git tag. */
  readonly version: string;
}

/** One Argo CD Application of an operator. */
export interface OperatorApplication {
  /** The Application's name, also the Helm release name. */
  readonly name: string;
  readonly source: OperatorSource;
  /** The Application's sync wave (`OperatorWave`). */
  readonly wave: number;
  /** Helm values that depend on the release only; `ClusterPrerequisites` adds those that depend on the platform. */
  readonly values?: Record<string, unknown>;
}

/** One operator's release in a version set. */
export interface OperatorRelease {
  readonly operator: ClusterOperator;
  /** The operator's release (its app version), as upstream tags it. */
  readonly version: string;
  /** The namespace it is installed in. */
  readonly namespace: string;
  /** The upstream tag of the CRDs the library's output must fit: imports/ (1.28 set) or imports/newest/ where newer. */
  readonly crdVersion: string;
  /** Its Applications, in install order. */
  readonly applications: OperatorApplication[];
}

/** A set of operator releases that one range of Kubernetes minor versions supports. */
export interface OperatorVersionSet {
  readonly name: string;
  /** The Kubernetes minor versions every release of the set supports, e.g. `['1.28', ..., '1.31']`. */
  readonly kubernetesVersions: string[];
  /** The Argo CD release the set's Applications are written for (its Application CRD is vendored). */
  readonly argoCdVersion: string;
  readonly releases: OperatorRelease[];
}

/**
 * The sync waves of the operators' Applications, all before the platform's (whose objects use -3 to 0,
 * `ArgoCdSyncWaves`): cert-manager, then what needs its webhooks or installs CRDs, then the controllers that need
 * those CRDs, then what the controllers' webhooks check.
 */
export const OperatorWave = {
  CERT_MANAGER: -30,
  CRDS: -20,
  CONTROLLERS: -10,
  CONFIGURATION: -5,
} as const;

/**
 * KServe's values: the raw deployment mode, which 0.14 calls `RawDeployment` and 0.16+ `Standard` (`RawDeployment` is
 * its deprecated alias, pkg/constants/constants.go), and `more` of the release.
 */
const kserveValues = (deploymentMode: string, more: Record<string, unknown> = {}) => ({
  kserve: {
    controller: { deploymentMode },
    ...more,
    // The storage initializer KServe injects into predictors passes Pod Security `restricted` with these.
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

/** kube-prometheus-stack with the operator and its CRDs only: the platform brings its own Prometheus and Grafana. */
const PROMETHEUS_OPERATOR_ONLY = {
  crds: { enabled: true },
  prometheusOperator: { enabled: true },
  defaultRules: { create: false },
  alertmanager: { enabled: false },
  grafana: { enabled: false },
  prometheus: { enabled: false },
  kubernetesServiceMonitors: { enabled: false },
  kubeStateMetrics: { enabled: false },
  nodeExporter: { enabled: false },
};

const JETSTACK = 'https://charts.jetstack.io';
const ISTIO = 'https://istio-release.storage.googleapis.com/charts';
const SELDON = 'https://seldonio.github.io/helm-charts';
const PROMETHEUS_COMMUNITY = 'https://prometheus-community.github.io/helm-charts';
const SPARK_OPERATOR = 'https://kubeflow.github.io/spark-operator';

/** Releases whose version is the same in both sets. */
const SAME_IN_BOTH: OperatorRelease[] = [
  {
    // kube-prometheus-stack 88.3.0 is the newest chart with operator v0.93.0 (88.4.0 moves to v0.93.1).
    operator: ClusterOperator.PROMETHEUS_OPERATOR,
    version: 'v0.93.0',
    namespace: 'prometheus-operator',
    crdVersion: 'v0.93.0',
    applications: [{
      name: 'prometheus-operator',
      wave: OperatorWave.CONTROLLERS,
      values: PROMETHEUS_OPERATOR_ONLY,
      source: { type: 'helm', repoUrl: PROMETHEUS_COMMUNITY, chart: 'kube-prometheus-stack', version: '88.3.0' },
    }],
  },
  {
    // No Helm chart: upstream installs the standalone overlay, whose namespace is `kubeflow`. v2 (Trainer) has no PyTorchJob.
    operator: ClusterOperator.TRAINING_OPERATOR,
    version: 'v1.9.4',
    namespace: 'kubeflow',
    crdVersion: 'v1.9.4',
    applications: [{
      name: 'training-operator',
      wave: OperatorWave.CONTROLLERS,
      source: { type: 'kustomize', repoUrl: 'https://github.com/kubeflow/trainer.git', path: 'manifests/overlays/standalone', version: 'v1.9.4' },
    }],
  },
  {
    operator: ClusterOperator.SPARK_OPERATOR,
    version: 'v2.5.2',
    namespace: 'spark-operator',
    crdVersion: 'v2.5.2',
    applications: [{
      name: 'spark-operator',
      wave: OperatorWave.CONTROLLERS,
      values: { webhook: { enable: true } },
      source: { type: 'helm', repoUrl: SPARK_OPERATOR, chart: 'spark-operator', version: '2.5.2' },
    }],
  },
  {
    // 2.6.0 is the last Apache-2.0 release (2.7.0+ is BSL-1.1).
    operator: ClusterOperator.SELDON_CORE,
    version: 'v2.6.0',
    namespace: 'seldon-mesh',
    crdVersion: 'v2.6.0',
    applications: [
      { name: 'seldon-core-v2-crds', wave: OperatorWave.CRDS, source: { type: 'helm', repoUrl: SELDON, chart: 'seldon-core-v2-crds', version: '2.6.0' } },
      {
        name: 'seldon-core-v2-setup',
        wave: OperatorWave.CONTROLLERS,
        // No hodometer (usage data to Seldon), which in 2.6.0 also drops the chart's SeldonConfig: ClusterPrerequisites
        // emits a restricted one instead (SeldonOperatorConfig).
        values: { controller: { clusterwide: true }, hodometer: { enabled: false } },
        source: { type: 'helm', repoUrl: SELDON, chart: 'seldon-core-v2-setup', version: '2.6.0' },
      },
    ],
  },
];

const trustManager: OperatorRelease = {
  operator: ClusterOperator.TRUST_MANAGER,
  version: 'v0.24.0',
  namespace: 'trust-manager',
  crdVersion: 'v0.24.0',
  applications: [{
    name: 'trust-manager',
    wave: OperatorWave.CRDS,
    values: { crds: { enabled: true }, defaultPackage: { enabled: true } },
    source: { type: 'helm', repoUrl: JETSTACK, chart: 'trust-manager', version: 'v0.24.0' },
  }],
};

const certManager = (version: string, source: OperatorSource): OperatorRelease => ({
  operator: ClusterOperator.CERT_MANAGER,
  version,
  namespace: 'cert-manager',
  crdVersion: version,
  applications: [{ name: 'cert-manager', wave: OperatorWave.CERT_MANAGER, values: { crds: { enabled: true } }, source }],
});

const istio = (version: string): OperatorRelease => ({
  operator: ClusterOperator.ISTIO,
  version,
  namespace: 'istio-system',
  crdVersion: version,
  applications: [
    { name: 'istio-base', wave: OperatorWave.CRDS, source: { type: 'helm', repoUrl: ISTIO, chart: 'base', version } },
    { name: 'istiod', wave: OperatorWave.CONTROLLERS, source: { type: 'helm', repoUrl: ISTIO, chart: 'istiod', version } },
  ],
});

/** The 1.28 set: the newest release of each operator that supports Kubernetes 1.28 (imports/SOURCES.md). */
const KUBERNETES_1_28: OperatorVersionSet = {
  name: '1.28',
  // Istio 1.24 and Argo CD 2.14 support Kubernetes 1.28 to 1.31.
  kubernetesVersions: ['1.28', '1.29', '1.30', '1.31'],
  argoCdVersion: 'v2.14.21',
  releases: [
    certManager('v1.16.5', { type: 'helm', repoUrl: JETSTACK, chart: 'cert-manager', version: 'v1.16.5' }),
    trustManager,
    {
      // KServe 0.14 publishes its charts to ghcr.io only.
      operator: ClusterOperator.KSERVE,
      version: 'v0.14.1',
      namespace: 'kserve',
      crdVersion: 'v0.14.1',
      applications: [
        { name: 'kserve-crd', wave: OperatorWave.CRDS, source: { type: 'oci-helm', repoUrl: 'ghcr.io/kserve/charts', chart: 'kserve-crd', version: 'v0.14.1' } },
        {
          name: 'kserve',
          wave: OperatorWave.CONTROLLERS,
          values: kserveValues('RawDeployment', { modelmesh: { enabled: false } }),
          source: { type: 'oci-helm', repoUrl: 'ghcr.io/kserve/charts', chart: 'kserve', version: 'v0.14.1' },
        },
      ],
    },
    ...SAME_IN_BOTH,
    istio('1.24.6'),
  ],
};

/** The newest set: the newest releases, for Kubernetes 1.33 to 1.36 (cert-manager v1.21 and Argo CD 3.5 start at 1.33). */
const NEWEST: OperatorVersionSet = {
  name: 'newest',
  kubernetesVersions: ['1.33', '1.34', '1.35', '1.36'],
  argoCdVersion: 'v3.5.1',
  releases: [
    certManager('v1.21.1', { type: 'oci', repoUrl: 'oci://quay.io/jetstack/charts/cert-manager', version: 'v1.21.1' }),
    trustManager,
    {
      // Since 0.17 the controller chart is `kserve-resources` and the ClusterServingRuntimes are a chart of their own.
      operator: ClusterOperator.KSERVE,
      version: 'v0.20.0',
      namespace: 'kserve',
      crdVersion: 'v0.20.0',
      applications: [
        { name: 'kserve-crd', wave: OperatorWave.CRDS, source: { type: 'oci', repoUrl: 'oci://ghcr.io/kserve/charts/kserve-crd', version: 'v0.20.0' } },
        {
          name: 'kserve',
          wave: OperatorWave.CONTROLLERS,
          values: kserveValues('Standard'),
          source: { type: 'oci', repoUrl: 'oci://ghcr.io/kserve/charts/kserve-resources', version: 'v0.20.0' },
        },
        {
          name: 'kserve-runtime-configs',
          wave: OperatorWave.CONFIGURATION,
          values: { kserve: { servingruntime: { enabled: true } } },
          source: { type: 'oci', repoUrl: 'oci://ghcr.io/kserve/charts/kserve-runtime-configs', version: 'v0.20.0' },
        },
      ],
    },
    ...SAME_IN_BOTH,
    istio('1.30.3'),
  ],
};

/** Both sets, the 1.28 set first. */
export const OPERATOR_VERSION_SETS: readonly OperatorVersionSet[] = [KUBERNETES_1_28, NEWEST];

/** The set that supports a Kubernetes minor version (`1.28`), or undefined. */
export function operatorVersionSetFor(kubernetesVersion: string): OperatorVersionSet | undefined {
  return OPERATOR_VERSION_SETS.find((set) => set.kubernetesVersions.includes(kubernetesVersion));
}

/** An operator's release in a set. */
export function releaseOf(set: OperatorVersionSet, operator: ClusterOperator): OperatorRelease {
  const release = set.releases.find((candidate) => candidate.operator === operator);
  if (!release) {
    throw new Error(`the version set ${set.name} has no release of ${operator.name}`);
  }
  return release;
}
