import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KservePredictor } from './kserve-predictor';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { anInstanceOf, checkProps } from '../core/props-check';
import * as istio from '../imports/istio-virtualservice-networking.istio.io';

/** The port of the predictor Service KServe creates in RawDeployment mode. */
const SERVICE_PORT = 80;

/** Properties of `KserveTrafficMirror`. */
export interface KserveTrafficMirrorProps {
  /** The predictor that answers every request. */
  readonly primary: KservePredictor;
  /** The predictor that receives a copy of the requests; its responses are dropped. */
  readonly mirror: KservePredictor;
  /**
   * The share of requests copied, in percent (`mirrorPercentage`), from 0 (exclusive) to 100.
   *
   * @default 100
   */
  readonly mirrorPercent?: number;
  /**
   * The cluster's DNS domain, for the Service host names.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * Shadow traffic between two predictors: an Istio VirtualService (`networking.istio.io/v1`) on the primary's
 * predictor Service that routes every request to it and mirrors `mirrorPercent` of them to the other one. KServe has
 * no mirror router, so this needs Istio, with a sidecar in the calling pods (the mirroring happens on the client
 * side), and both predictors in RawDeployment mode, where KServe's Service `<name>-predictor` is the one clients call.
 */
export class KserveTrafficMirror extends Construct {
  /** The VirtualService. */
  public readonly resource: ApiObject;

  private readonly primary: KservePredictor;
  private readonly mirror: KservePredictor;

  constructor(scope: Construct, id: string, props: KserveTrafficMirrorProps) {
    super(scope, id);
    const aPredictor = anInstanceOf(KservePredictor, "new KservePredictor(this, 'Iris', { ... })");
    checkProps(this, props, { primary: aPredictor, mirror: aPredictor });
    this.primary = props.primary;
    this.mirror = props.mirror;
    if (props.primary === props.mirror) {
      throw new MlopsValidationError(this, `mirror is invalid: it is the primary predictor '${props.primary.name}'; mirror to another predictor, e.g. the next model version`);
    }
    for (const predictor of [props.primary, props.mirror]) {
      if (predictor.deploymentMode.isServerless) {
        throw new MlopsValidationError(this, `predictor '${predictor.name}' is invalid: it runs in deploymentMode ${predictor.deploymentMode.value}, where KServe routes through its own Knative and Istio objects; mirror between RawDeployment predictors`);
      }
    }
    const percent = props.mirrorPercent ?? 100;
    if (!(percent > 0 && percent <= 100)) {
      throw new MlopsValidationError(this, `mirrorPercent '${percent}' is invalid: must be more than 0 and at most 100`);
    }
    const domain = props.clusterDomain ?? 'cluster.local';
    const primaryHost = props.primary.predictorHost(domain);
    this.resource = new istio.VirtualService(this, 'Resource', {
      metadata: { labels: componentLabels(this, { name: 'kserve', component: 'traffic-mirror' }) },
      spec: {
        hosts: [primaryHost],
        http: [{
          name: 'mirror',
          route: [{ destination: { host: primaryHost, port: { number: SERVICE_PORT } } }],
          mirror: { host: props.mirror.predictorHost(domain), port: { number: SERVICE_PORT } },
          mirrorPercentage: { value: percent },
        }],
      },
    });
  }

  /** Allows `peer`, the calling pods, to reach both predictors: the mirrored requests leave from them too. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.primary.allowFrom(peer);
    this.mirror.allowFrom(peer);
  }
}
