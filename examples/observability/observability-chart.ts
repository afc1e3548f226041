import { Chart, ChartProps, Size } from 'cdk8s';
import {
  DagSource, GitSubmodules, IScrapeTarget, MlopsCore, PlatformAccess, RestrictedSecurity, RetrainTrigger, ScrapeDiscovery, ScrapeTargetSpec,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

const DETECTOR_PORT = 8000;

/**
 * A drift detector of your own: it exposes `model_drifted_total{model="..."}` on `/metrics`, and becomes a scrape
 * target by implementing `IScrapeTarget` (where the metrics are, and who may scrape them).
 */
class DriftDetector extends Construct implements IScrapeTarget {
  public readonly deployment: kplus.Deployment;
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const runAs = { user: 1000, group: 1000 };
    const labels = { 'app.kubernetes.io/name': 'drift-detector' };
    this.deployment = new kplus.Deployment(this, 'Resource', {
      podMetadata: { labels },
      securityContext: RestrictedSecurity.podProps(runAs),
      containers: [{
        name: 'detector',
        image: 'registry.example.com/drift-detector:1.0.0',
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: 'metrics', number: DETECTOR_PORT }],
        securityContext: RestrictedSecurity.containerProps(runAs),
        resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) } },
      }],
    });
    this.scrapeTargets = [{
      name: 'drift-detector', discovery: ScrapeDiscovery.POD, selector: labels, endpoints: [{ port: 'metrics', path: '/metrics' }],
    }];
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    new kplus.NetworkPolicy(this, 'AllowScrape', {
      selector: this.deployment,
      ingress: { rules: [{ peer: scraper, ports: [kplus.NetworkPolicyPort.tcp(DETECTOR_PORT)] }] },
    });
  }
}

/**
 * The platform with everything it can see: every container's log in Loki (shipped by a DaemonSet in the namespace
 * `observability-logs`, which enforces Pod Security `privileged` for it), traces of Airflow, the retrain trigger and
 * a drift detector of your own in Jaeger, both in Grafana next to Prometheus; and the drift → retrain loop.
 */
export class ObservabilityChart extends Chart {
  public readonly platform: MlopsCore;
  public readonly detector: DriftDetector;
  public readonly retrain: RetrainTrigger;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'observability', ...props });
    this.platform = new MlopsCore(this, 'Platform', {
      dags: DagSource.fromGit({
        repository: 'https://github.com/apache/airflow.git',
        ref: '3.1.8',
        subPath: 'airflow-core/src/airflow/example_dags',
        submodules: GitSubmodules.OFF,
      }),
      // Airflow 30007 ... Grafana 30011, Prometheus 30012, Alertmanager 30013, Jaeger 30014
      access: PlatformAccess.nodePorts(),
      tracing: true,
      logs: {},
    });
    this.detector = new DriftDetector(this, 'DriftDetector');
    this.platform.prometheus!.addTargets(this.detector);
    this.platform.tracing!.instrument(this.detector.deployment, this.detector.deployment.containers[0], { serviceName: 'drift-detector' });
    this.retrain = this.platform.retrainOnDrift({ dag: 'retrain' });
    // A Job per service that proves it answers (Grafana's Loki and Prometheus data sources among them), as Argo CD
    // PostSync hooks.
    this.platform.addSmokeTests();
  }
}
