import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { allowIngress } from '../../src/core/network';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../../src/core/scrape-target';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../../src/core/security';

/** The part of the lezer tree API the checks below use. */
interface PromQLNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
  readonly node: { readonly parent: { readonly name: string } | null };
}

// @prometheus-io/lezer-promql, the PromQL grammar of Prometheus' own web UI, is an ES module with a CommonJS build;
// jest runs the tests as CommonJS, so the build is loaded with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(expr: string): { iterate(spec: { enter(node: PromQLNode): void }): void } } };

/** Syntax errors and the metric names a PromQL expression selects, from Prometheus' own lezer grammar. */
export function parsePromQL(expr: string): { errors: string[]; metricNames: string[] } {
  const errors: string[] = [];
  const metricNames: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 20), node.to + 20)}'`);
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metricNames.push(expr.slice(node.from, node.to));
      }
    },
  });
  return { errors, metricNames };
}

export const EXPORTER_PORT = 9102;

/** A restricted Deployment with a metrics port named `metrics` (and a Service for SERVICE discovery), as a scrape target. */
export class FakeExporter extends Construct implements IScrapeTarget {
  public readonly deployment: kplus.Deployment;
  public readonly service?: kplus.Service;
  public readonly scrapers: kplus.INetworkPolicyPeer[] = [];

  constructor(scope: Construct, id: string, private readonly discovery: ScrapeDiscovery, private readonly overrides: Partial<ScrapeTargetSpec> = {}) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/name': id.toLowerCase() };
    const user = { user: 65534, group: 65534 };
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { labels },
      podMetadata: { labels },
      securityContext: restrictedPodSecurity(user),
      automountServiceAccountToken: false,
      containers: [{
        name: 'exporter',
        image: 'quay.io/prometheus/statsd-exporter:v0.28.0',
        ports: [{ name: 'metrics', number: EXPORTER_PORT }],
        securityContext: restrictedContainerSecurity(user),
        resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
      }],
    });
    if (discovery === ScrapeDiscovery.SERVICE) {
      this.service = new kplus.Service(this, 'Service', {
        metadata: { labels },
        selector: this.deployment,
        ports: [{ name: 'metrics', port: EXPORTER_PORT, targetPort: EXPORTER_PORT }],
      });
    }
  }

  public get scrapeTargets(): ScrapeTargetSpec[] {
    return [{
      name: this.node.id.toLowerCase(),
      discovery: this.discovery,
      selector: { 'app.kubernetes.io/name': this.node.id.toLowerCase() },
      endpoints: [{ port: 'metrics', path: '/metrics' }],
      ...this.overrides,
    }];
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.scrapers.push(scraper);
    allowIngress(this, this.deployment, scraper, [EXPORTER_PORT]);
  }
}
