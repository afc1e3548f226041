import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { IMonitoringContribution } from './monitoring';
import { TrustBundle } from './trust-bundle';

/** How Prometheus finds a target's pods: through a Service (ServiceMonitor) or directly (PodMonitor). */
export enum ScrapeDiscovery {
  /** Select Services by label and scrape the endpoints behind a named Service port. */
  SERVICE = 'service',
  /** Select pods by label and scrape a container port. */
  POD = 'pod',
}

/** One metrics endpoint of a target. */
export interface ScrapeEndpoint {
  /**
   * The port's name: a Service port name for `SERVICE` discovery, a container port name for `POD` discovery.
   *
   * @default - `portNumber` must be given
   */
  readonly port?: string;

  /**
   * The container port number, for `POD` discovery of pods whose metrics port has no name.
   *
   * @default - `port` must be given
   */
  readonly portNumber?: number;

  /** The HTTP path of the metrics, e.g. `/metrics` or `/minio/v2/metrics/cluster`. */
  readonly path: string;

  /**
   * `http` or `https`.
   *
   * @default 'http'
   */
  readonly scheme?: string;

  /**
   * The CA bundle that verifies an `https` endpoint (its ConfigMap must be in the monitor's namespace too).
   *
   * @default - the scraper's system CAs
   */
  readonly trustBundle?: TrustBundle;

  /**
   * The name the certificate is checked against: Prometheus scrapes pod IPs, which a Service's certificate does not
   * hold, e.g. `minio.mlops.svc`.
   *
   * @default - the scraped address
   */
  readonly serverName?: string;
}

/** What Prometheus needs to scrape one component. */
export interface ScrapeTargetSpec {
  /** A short name for the target, used in the monitor's name and as its `job` label, e.g. `minio`. */
  readonly name: string;
  /** Through a Service or directly from pods. */
  readonly discovery: ScrapeDiscovery;
  /**
   * The namespace the Services or pods live in.
   *
   * @default - the namespace of the chart the target is in
   */
  readonly namespace?: string;
  /** The labels that select the Services (`SERVICE`) or pods (`POD`); they must select only this target. */
  readonly selector: { [key: string]: string };
  /** The metrics endpoints. */
  readonly endpoints: ScrapeEndpoint[];
}

/**
 * A component that exposes Prometheus metrics. `FederatedPrometheus.addTargets(...)` turns each spec into a
 * ServiceMonitor or PodMonitor, registers the target's `monitoring` contributions (its recording rules, alerts and
 * dashboard rows), and calls `allowScrapeFrom` so that a NetworkPolicy around the target lets the scrapes in.
 */
export interface IScrapeTarget extends IConstruct {
  /** Where the metrics are. */
  readonly scrapeTargets: ScrapeTargetSpec[];

  /**
   * The rules and dashboard rows over this target's metrics, which the Prometheus that scrapes it renders (and a
   * primary that federates its cluster, through `FederatedPrometheus.addMonitoring`).
   *
   * @default - none: the target is scraped, and only its `up` series is watched
   */
  readonly monitoring?: IMonitoringContribution[];

  /** Lets `scraper` (Prometheus' pods) reach every metrics endpoint of this target. */
  allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void;
}
