import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ArgoCdSyncWaves } from './argo-cd-sync-waves';
import { ClusterOperator } from './cluster-operator';
import { ClusterPrerequisitesProps } from './cluster-prerequisites-props';
import { OPERATOR_VERSION_SETS, OperatorApplication, OperatorRelease, OperatorSource, operatorVersionSetFor, OperatorVersionSet, OperatorWave, releaseOf } from './operator-versions';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems } from '../core/names';
import { A_CONSTRUCT, aListOf, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { Application, ApplicationSpecSource } from '../imports/argocd-application-argoproj.io';
import { PlatformTls } from '../security/platform-tls';
import { SeldonOperatorConfig } from '../serving/seldon-operator-config';
import { SeldonRuntime } from '../serving/seldon-runtime';
import { PyTorchDdpJob } from '../training/pytorch-ddp-job';
import { SparkJob } from '../training/spark-job';

const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** Lets Argo CD dry-run a sync before the CRD of the object exists (it comes with an earlier wave's Application). */
const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** The label that makes a Secret of Argo CD's namespace a repository (Argo CD declarative setup). */
const REPOSITORY_SECRET_LABEL = 'argocd.argoproj.io/secret-type';

/** The operator whose CRDs serve an API group. kubeflow.org is looked at by kind: PodDefault is Kubeflow's own. */
const OPERATOR_OF_GROUP: Record<string, ClusterOperator> = {
  'cert-manager.io': ClusterOperator.CERT_MANAGER,
  'trust.cert-manager.io': ClusterOperator.TRUST_MANAGER,
  'trust-manager.io': ClusterOperator.TRUST_MANAGER,
  'serving.kserve.io': ClusterOperator.KSERVE,
  'monitoring.coreos.com': ClusterOperator.PROMETHEUS_OPERATOR,
  'sparkoperator.k8s.io': ClusterOperator.SPARK_OPERATOR,
  'mlops.seldon.io': ClusterOperator.SELDON_CORE,
  'networking.istio.io': ClusterOperator.ISTIO,
};
const TRAINING_OPERATOR_KINDS = ['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'PaddleJob', 'JAXJob'];
/** What an operator needs installed first: KServe's and trust-manager's webhooks take their certificates from cert-manager. */
const NEEDS: Map<ClusterOperator, ClusterOperator[]> = new Map([
  [ClusterOperator.KSERVE, [ClusterOperator.CERT_MANAGER]],
  [ClusterOperator.TRUST_MANAGER, [ClusterOperator.CERT_MANAGER]],
]);

/** What the scanned platform uses, and the values that follow from it. */
interface PlatformNeeds {
  readonly operators: Set<ClusterOperator>;
  readonly sparkJobNamespaces: Set<string>;
  readonly trustNamespaces: Set<string>;
  readonly kafkaBootstraps: Set<string>;
  readonly seldonConfigs: SeldonOperatorConfig[];
}

/**
 * The operators a platform needs, as Argo CD Applications (argoproj.io/v1alpha1) in this chart's namespace (Argo CD's),
 * pinned to one version set of the version table: upstream Helm charts (OCI where that is all upstream publishes) or
 * upstream kustomize overlays where there is no chart (training-operator v1.9), each in its own namespace.
 *
 * ```ts
 * const argocd = new Chart(app, 'argocd', { namespace: 'argocd' });
 * new ClusterPrerequisites(argocd, 'Operators', { kubernetesVersion: '1.33' });   // after the platform's charts
 * ```
 *
 * - **Chosen from what the platform uses**, scanned when it is created: InferenceServices and InferenceGraphs → KServe;
 *   ServiceMonitors, PrometheusRules, Prometheus → prometheus-operator; Certificates, ClusterIssuers → cert-manager;
 *   Bundles → trust-manager; PyTorchJobs and `PyTorchDdpJob`s → training-operator; SparkApplications and `SparkJob`s
 *   (templates that pipelines submit too) → spark-operator; Seldon kinds → Seldon Core; VirtualServices (traffic
 *   mirroring) → Istio; KServe and trust-manager bring cert-manager. A platform without Seldon does not install Seldon. Kubeflow itself (PodDefault's webhook, Profiles) is not installed.
 *   `include` and `exclude` override the choice.
 * - **Values that fit the platform:** KServe in raw deployment mode (`RawDeployment`, `Standard` from 0.16) with a
 *   storage initializer that passes Pod Security `restricted`, no ModelMesh; cert-manager with its CRDs and
 *   `clusterResourceNamespace` = `PlatformTls`' trust namespace; trust-manager reading that namespace
 *   (`app.trust.namespace`) with the default CA package; spark-operator watching the namespaces of the platform's
 *   SparkApplications (`spark.jobNamespaces`) with its webhook; Seldon watching every namespace
 *   (`controller.clusterwide`) with the runtimes' Kafka (`kafka.bootstrap`); prometheus-operator alone (the platform
 *   has its own Prometheus and Grafana).
 * - **Ordered before the platform:** sync waves -30 (cert-manager), -20 (CRDs, trust-manager), -10 (controllers), -5
 *   (KServe's runtimes), all before the platform's (-3 to 0). Argo CD only waits for a child Application's health with
 *   the health check of `APPLICATION_HEALTH_CHECK` in `argocd-cm`.
 * - Automated sync with self-heal and retries, `ServerSideApply=true` (CRDs over the 256 KiB of client-side apply's
 *   annotation) and `CreateNamespace=true`. No pruning and no resources finalizer: a sync never deletes an operator's
 *   CRD (which would delete every resource of that kind), and deleting an Application leaves its operator running.
 */
export class ClusterPrerequisites extends Construct {
  /** The `argocd-cm` key of the health check that makes Argo CD wait for child Applications. */
  public static readonly APPLICATION_HEALTH_CHECK_KEY = 'resource.customizations.health.argoproj.io_Application';

  /**
   * The health check (Lua) Argo CD removed in 1.8 and documents to restore for app-of-apps sync waves
   * (operator-manual/health.md, "Argocd App"): set it as `APPLICATION_HEALTH_CHECK_KEY` in `argocd-cm`.
   */
  public static readonly APPLICATION_HEALTH_CHECK = [
    'hs = {}',
    'hs.status = "Progressing"',
    'hs.message = ""',
    'if obj.status ~= nil then',
    '  if obj.status.health ~= nil then',
    '    hs.status = obj.status.health.status',
    '    if obj.status.health.message ~= nil then',
    '      hs.message = obj.status.health.message',
    '    end',
    '  end',
    'end',
    'return hs',
    '',
  ].join('\n');

  /** The Kubernetes minor version the version set was picked for. */
  public readonly kubernetesVersion: string;
  /** The operators installed, in install order. */
  public readonly operators: ClusterOperator[];
  /** The names of the Applications, in install order. */
  public readonly applicationNames: string[];

  private readonly set: OperatorVersionSet;

  constructor(scope: Construct, id: string, props: ClusterPrerequisitesProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      platform: aListOf(A_CONSTRUCT),
      kubernetesVersion: aString("'1.28'"),
      include: aListOf(anInstanceOf(ClusterOperator, 'ClusterOperator.ISTIO')),
      exclude: aListOf(anInstanceOf(ClusterOperator, 'ClusterOperator.SELDON_CORE')),
      destinationName: aString("'serving-eu'"),
      destinationServer: aString("'https://kubernetes.default.svc'"),
      project: aString("'default'"),
    });
    if (!Chart.of(this).namespace) {
      throw new MlopsValidationError(this, "the chart has no namespace: Applications must be created in Argo CD's namespace; give the chart one, e.g. namespace: 'argocd'");
    }
    if (props.destinationName !== undefined && props.destinationServer !== undefined) {
      throw new MlopsValidationError(this, `destinationName '${props.destinationName}' and destinationServer '${props.destinationServer}' are both given: Argo CD takes one; remove one`);
    }
    const namePrefix = props.destinationName === undefined ? '' : `${props.destinationName}-`;
    if (props.destinationName !== undefined && dnsLabelProblems(`${namePrefix}kserve-runtime-configs`).length > 0) {
      throw new MlopsValidationError(this, `destinationName '${props.destinationName}' is invalid: the Applications' names start with it; `
        + 'give a DNS label of at most 40 characters, e.g. \'serving-eu\'');
    }
    this.kubernetesVersion = props.kubernetesVersion ?? '1.28';
    const set = operatorVersionSetFor(this.kubernetesVersion);
    if (!set) {
      throw new MlopsValidationError(this, `kubernetesVersion '${this.kubernetesVersion}' is invalid: the version table has sets for `
        + `${OPERATOR_VERSION_SETS.map((known) => `${known.kubernetesVersions[0]} to ${known.kubernetesVersions[known.kubernetesVersions.length - 1]}`).join(' and ')}; `
        + "give the cluster's minor version, e.g. '1.28' or '1.33'");
    }
    this.set = set;
    const overlap = (props.include ?? []).filter((operator) => (props.exclude ?? []).includes(operator));
    if (overlap.length > 0) {
      throw new MlopsValidationError(this, `include and exclude both name ${overlap.map((operator) => `'${operator.name}'`).join(', ')}; remove it from one`);
    }

    const needs = scanPlatform(this, props.platform ?? [this.node.root]);
    const wanted = new Set([...needs.operators, ...(props.include ?? [])]);
    for (const operator of [...wanted]) {
      (NEEDS.get(operator) ?? []).forEach((needed) => wanted.add(needed));
    }
    (props.exclude ?? []).forEach((operator) => wanted.delete(operator));
    const releases = set.releases.filter((release) => wanted.has(release.operator));
    this.operators = releases.map((release) => release.operator);

    const destination = {
      name: props.destinationName,
      server: props.destinationName === undefined ? props.destinationServer ?? IN_CLUSTER_SERVER : undefined,
    };
    this.applicationNames = [];
    for (const release of releases) {
      for (const application of release.applications) {
        const name = `${namePrefix}${application.name}`;
        new Application(this, application.name, {
          metadata: { name, annotations: { [ArgoCdSyncWaves.ANNOTATION]: `${application.wave}` } },
          spec: {
            project: props.project ?? 'default',
            source: applicationSource(application, valuesFor(this, release, application, needs)),
            destination: { ...destination, namespace: release.namespace },
            syncPolicy: {
              automated: { prune: false, selfHeal: true },
              syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
              retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
            },
          },
        });
        this.applicationNames.push(name);
      }
    }
    addOciRepositories(this, namePrefix, releases.flatMap((release) => release.applications));
    const seldon = releases.find((release) => release.operator === ClusterOperator.SELDON_CORE);
    if (seldon) {
      addSeldonConfig(this, seldon, needs, props.destinationName === undefined && destination.server === IN_CLUSTER_SERVER);
    }
  }

  /** The name of the version set the Applications are pinned to: `1.28` or `newest`. */
  public get versionSet(): string {
    return this.set.name;
  }

  /** The pinned release of an operator in this version set, e.g. `v1.16.5` for cert-manager with Kubernetes 1.28. */
  public versionOf(operator: ClusterOperator): string {
    checkArgument(this, 'operator', operator, anInstanceOf(ClusterOperator, 'ClusterOperator.KSERVE'));
    return releaseOf(this.set, operator).version;
  }
}

/** What the constructs under `roots` use, read from their API objects and from the constructs that carry values. */
function scanPlatform(self: ClusterPrerequisites, roots: IConstruct[]): PlatformNeeds {
  const needs: PlatformNeeds = {
    operators: new Set(), sparkJobNamespaces: new Set(), trustNamespaces: new Set(), kafkaBootstraps: new Set(), seldonConfigs: [],
  };
  const seen = new Set<IConstruct>();
  for (const root of roots) {
    for (const construct of root.node.findAll()) {
      if (seen.has(construct) || construct === self || construct.node.scopes.includes(self)) continue;
      seen.add(construct);
      if (construct instanceof PlatformTls) {
        needs.trustNamespaces.add(construct.trustNamespace);
      } else if (construct instanceof SeldonRuntime && construct.eventBus) {
        needs.kafkaBootstraps.add(construct.eventBus.bootstrapServers.join(','));
      } else if (construct instanceof SeldonOperatorConfig) {
        needs.seldonConfigs.push(construct);
      } else if (construct instanceof PyTorchDdpJob) {
        // A job submitted from a template by a pipeline is no object of the manifests, but needs the operator all the same.
        needs.operators.add(ClusterOperator.TRAINING_OPERATOR);
      } else if (construct instanceof SparkJob) {
        needs.operators.add(ClusterOperator.SPARK_OPERATOR);
        const namespace = Chart.of(construct).namespace;
        if (namespace) needs.sparkJobNamespaces.add(namespace);
      } else if (construct instanceof ApiObject) {
        const operator = operatorOf(construct);
        if (operator) needs.operators.add(operator);
        if (operator === ClusterOperator.SPARK_OPERATOR) {
          const namespace = construct.metadata.namespace ?? Chart.of(construct).namespace;
          if (namespace) needs.sparkJobNamespaces.add(namespace);
        }
      }
    }
  }
  return needs;
}

function operatorOf(apiObject: ApiObject): ClusterOperator | undefined {
  const slash = apiObject.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiObject.apiVersion.slice(0, slash);
  if (group === 'kubeflow.org') {
    return TRAINING_OPERATOR_KINDS.includes(apiObject.kind) ? ClusterOperator.TRAINING_OPERATOR : undefined;
  }
  return OPERATOR_OF_GROUP[group];
}

/** The table's values of an Application and those that follow from the platform. */
function valuesFor(
  self: ClusterPrerequisites, release: OperatorRelease, application: OperatorApplication, needs: PlatformNeeds,
): Record<string, unknown> | undefined {
  const trustNamespace = single(self, 'trust namespaces of PlatformTls', needs.trustNamespaces,
    'the cluster has one cert-manager cluster resource namespace; give every PlatformTls the same trustNamespace');
  const platformValues: Record<string, unknown> = {};
  if (release.operator === ClusterOperator.CERT_MANAGER && trustNamespace !== undefined) {
    // The CA ClusterIssuer of PlatformTls reads its Secret from cert-manager's cluster resource namespace.
    platformValues.clusterResourceNamespace = trustNamespace;
  }
  if (release.operator === ClusterOperator.TRUST_MANAGER) {
    platformValues.app = { trust: { namespace: trustNamespace ?? 'cert-manager' } };
  }
  if (release.operator === ClusterOperator.SPARK_OPERATOR && needs.sparkJobNamespaces.size > 0) {
    // The operator ignores SparkApplications outside these namespaces, silently.
    platformValues.spark = { jobNamespaces: [...needs.sparkJobNamespaces].sort() };
  }
  const values = { ...application.values, ...platformValues };
  return Object.keys(values).length > 0 ? values : undefined;
}

/**
 * The SeldonConfig the operator renders runtimes from, restricted and without hodometer (`SeldonOperatorConfig`), next to
 * the Applications when they install into Argo CD's own cluster, unless the platform has one. The chart's ServerConfigs
 * stay (the chart renders them whatever its values): a `SeldonServer` makes its pods restricted.
 */
function addSeldonConfig(self: ClusterPrerequisites, release: OperatorRelease, needs: PlatformNeeds, inCluster: boolean): void {
  const kafkaBootstrap = single(self, 'Kafka bootstrap servers of SeldonRuntimes', needs.kafkaBootstraps,
    "the Seldon operator's SeldonConfig holds one; give every SeldonRuntime the same eventBus");
  for (const config of needs.seldonConfigs) {
    if (config.namespace !== release.namespace) {
      throw new MlopsValidationError(self, `platform is invalid: SeldonOperatorConfig '${config.node.path}' is in namespace '${config.namespace}', `
        + `and the operator reads its configuration from its own, '${release.namespace}'; give it namespace: '${release.namespace}'`);
    }
  }
  if (needs.seldonConfigs.length > 0) return;
  if (!inCluster) {
    throw new MlopsValidationError(self, 'platform is invalid: it uses Seldon, whose operator needs a SeldonConfig in the target cluster, '
      + "and this chart's objects go to Argo CD's cluster; add new SeldonOperatorConfig(chart, 'SeldonConfig', { serverConfigs: false }) "
      + 'to a chart of the target cluster, before ClusterPrerequisites');
  }
  const config = new SeldonOperatorConfig(self, 'SeldonConfig', {
    namespace: release.namespace,
    kafkaBootstrapServers: kafkaBootstrap?.split(','),
    serverConfigs: false,
  });
  config.seldonConfig.metadata.addAnnotation(ArgoCdSyncWaves.ANNOTATION, `${OperatorWave.CONFIGURATION}`);
  config.seldonConfig.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, 'SkipDryRunOnMissingResource=true');
}

function single(self: ClusterPrerequisites, what: string, values: Set<string>, why: string): string | undefined {
  if (values.size > 1) {
    throw new MlopsValidationError(self, `platform is invalid: it has several ${what} (${[...values].sort().join('; ')}): ${why}`);
  }
  return [...values][0];
}

function applicationSource(application: OperatorApplication, values: Record<string, unknown> | undefined): ApplicationSpecSource {
  const source: OperatorSource = application.source;
  const helm = { releaseName: application.name, valuesObject: values };
  switch (source.type) {
    case 'kustomize':
      return { repoUrl: source.repoUrl, path: source.path, targetRevision: source.version };
    case 'oci':
      // Argo CD 3.1+ reads a Helm chart of an OCI registry as the folder `.` of the artifact.
      return { repoUrl: source.repoUrl, path: '.', targetRevision: source.version, helm };
    default:
      return { repoUrl: source.repoUrl, chart: source.chart, targetRevision: source.version, helm };
  }
}

/**
 * Argo CD 2.x reads a Helm chart of an OCI registry only from a repository declared with `enableOCI`: a Secret with
 * where the registry is and nothing secret (public registries need no credentials).
 */
function addOciRepositories(self: ClusterPrerequisites, namePrefix: string, applications: OperatorApplication[]): void {
  const registries = [...new Set(applications.filter((application) => application.source.type === 'oci-helm').map((application) => application.source.repoUrl))];
  for (const url of registries) {
    const name = `${namePrefix}${url.replace(/[^a-z0-9]+/g, '-')}`;
    new kplus.Secret(self, name, {
      metadata: {
        name,
        labels: { [REPOSITORY_SECRET_LABEL]: 'repository' },
        annotations: { [ArgoCdSyncWaves.ANNOTATION]: `${OperatorWave.CERT_MANAGER}` },
      },
      stringData: { name, url, type: 'helm', enableOCI: 'true' },
    });
  }
}
