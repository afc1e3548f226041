import { ApiObject, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkReplicas, SELDON_REPLICA_KINDS } from './seldon-replicas';
import { SeldonRuntime } from './seldon-runtime';
import { checkCapabilities, SeldonServerConfig } from './seldon-server-config';
import { MlopsValidationError } from '../core/errors';
import { gpuPodSpecFields } from '../core/gpu-scheduling';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { aDnsLabel, aWholeNumber } from '../core/prop-kinds';
import { aListOf, anImage, anInstanceOf, aString, checkProps } from '../core/props-check';
import { DEFAULT_GPU_RESOURCE, gpuLimits, quantities, quantityMap } from '../core/quantities';
import { ImageUser, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { WorkloadPlacement } from '../core/workload-placement';
import {
  Server, ServerSpecPodSpecContainers, ServerSpecPodSpecContainersResourcesLimits, ServerSpecPodSpecContainersResourcesRequests,
} from '../imports/seldon-server-mlops.seldon.io';

/** The containers every Seldon ServerConfig has beside the model server's (seldon-core-v2-setup v2.6.0). */
const SELDON_CONTAINERS = ['rclone', 'agent'];
/** The StatefulSet's pods are `<name>-<n>` and its revision label `<name>-<hash>`: both must stay DNS labels. */
const MAX_NAME_LENGTH = 52;

/** Properties of a `SeldonServer`. */
export interface SeldonServerProps {
  /** The runtime whose namespace the server runs in. */
  readonly runtime: SeldonRuntime;

  /**
   * The ServerConfig the server is rendered from.
   *
   * @default SeldonServerConfig.MLSERVER
   */
  readonly serverConfig?: SeldonServerConfig;

  /**
   * The Server's name, which models name in `server`.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * The model server's image, e.g. MLServer built with your models' requirements (README, "Seldon Core v2"). The
   * v2.6.0 ServerConfigs pin MLServer 1.3.5 and Triton 23.03, which current scikit-learn, XGBoost and MLflow 3 models
   * usually do not load in.
   *
   * @default - the ServerConfig's image
   */
  readonly image?: string;

  /**
   * Replicas of the server.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Fewest replicas when Seldon scales the server with its models.
   *
   * @default - Seldon's default (no autoscaling floor)
   */
  readonly minReplicas?: number;

  /**
   * Most replicas when Seldon scales the server with its models.
   *
   * @default - Seldon's default (no autoscaling ceiling)
   */
  readonly maxReplicas?: number;

  /**
   * The model server container's resources. Seldon schedules models onto a server by its memory request.
   *
   * @default - the ServerConfig's (v2.6.0 MLServer: cpu 100m, memory 1Gi request and limit)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * GPUs per replica, as a limit on `gpuResourceName` of the model server's container, with the toleration of its
   * taint (`<gpuResourceName>:NoSchedule`).
   *
   * @default 0
   */
  readonly gpus?: number;

  /** @default 'nvidia.com/gpu' */
  readonly gpuResourceName?: string;

  /**
   * The capabilities the server advertises, replacing the ServerConfig's.
   *
   * @default - the ServerConfig's capabilities, plus `extraCapabilities`
   */
  readonly capabilities?: string[];

  /**
   * Capabilities added to the ServerConfig's, e.g. `['gpu']` or a library its custom image holds.
   *
   * @default - none
   */
  readonly extraCapabilities?: string[];

  /**
   * The uid/gid the pod runs as.
   *
   * @default - uid/gid 1000, as the v2.6.0 ServerConfigs
   */
  readonly runAs?: ImageUser;

  /**
   * Where the server's pods run and what they pull images with (node selector, tolerations, e.g. GPU nodes, node
   * affinity, topology spread, priority class, image pull secrets).
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * A Seldon Core v2 inference server: a `Server` (`mlops.seldon.io/v1alpha1`) that the operator renders as a
 * StatefulSet from its ServerConfig (`mlserver`, `triton`, or yours), and onto which Seldon's scheduler loads the
 * `SeldonModel`s whose requirements its capabilities cover; several models share a server.
 *
 * ```ts
 * const triton = new SeldonServer(this, 'Triton', {
 *   runtime, serverConfig: SeldonServerConfig.TRITON, gpus: 1, placement: gpuNodes,
 * });
 * ```
 *
 * Pod Security: the operator merges the Server's pod spec into the ServerConfig's by container name
 * (operator/controllers/reconcilers/server/server_reconciler.go @v2.6.0, `mergeContainers`), so the pod security
 * context and the `restricted` security context of the `rclone`, `agent` and server containers reach the pods.
 * Model-store credentials are not a Server field: they are the runtime's preloaded Secrets or each model's.
 */
export class SeldonServer extends Construct {
  /** The Server's name. */
  public readonly name: string;
  /** Its runtime. */
  public readonly runtime: SeldonRuntime;
  /** Its ServerConfig. */
  public readonly serverConfig: SeldonServerConfig;
  /** The capabilities it advertises: `capabilities`, or the ServerConfig's plus `extraCapabilities`. */
  public readonly capabilities: string[];
  /** The model server's image, when one was given. */
  public readonly image?: string;
  /** The Server. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: SeldonServerProps) {
    super(scope, id);
    checkProps(this, props, {
      runtime: anInstanceOf(SeldonRuntime, "new SeldonRuntime(this, 'Seldon')"),
    }, {
      serverConfig: anInstanceOf(SeldonServerConfig, 'SeldonServerConfig.TRITON'),
      name: aDnsLabel("'mlserver'", MAX_NAME_LENGTH),
      image: anImage("'registry.example.com/mlserver-sklearn:1.7.1'"),
      ...SELDON_REPLICA_KINDS,
      capabilities: aListOf(aString("'sklearn'")),
      extraCapabilities: aListOf(aString("'gpu'")),
      gpus: aWholeNumber(1, 0, 64),
      gpuResourceName: aString("'nvidia.com/gpu'"),
      placement: anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'nvidia.com/gpu.present': 'true' } })"),
    });
    this.runtime = props.runtime;
    this.serverConfig = props.serverConfig ?? SeldonServerConfig.MLSERVER;
    this.name = props.name ?? Names.toDnsLabel(this, { maxLen: MAX_NAME_LENGTH });
    if (props.capabilities && props.extraCapabilities) {
      throw new MlopsValidationError(this, 'capabilities and extraCapabilities are invalid together: Seldon ignores extraCapabilities when '
        + 'capabilities replaces the ServerConfig\'s list; give the whole list in capabilities, or only the additions in extraCapabilities');
    }
    if (props.capabilities?.length === 0) {
      throw new MlopsValidationError(this, "capabilities is invalid: the list is empty, so no model would land on the server; give what it serves, e.g. ['mlserver', 'sklearn']");
    }
    checkCapabilities(this, 'capabilities', props.capabilities ?? []);
    checkCapabilities(this, 'extraCapabilities', props.extraCapabilities ?? []);
    this.capabilities = props.capabilities ? [...props.capabilities] : [...this.serverConfig.capabilities, ...props.extraCapabilities ?? []];
    checkReplicas(this, props);
    this.image = props.image;
    if (this.image !== undefined && this.image.trim() === '') {
      throw new MlopsValidationError(this, "image '' is invalid: give an image reference, e.g. 'registry.example.com/mlserver-sklearn:1.7.1', or leave it out for the ServerConfig's");
    }

    const resources = quantities(props.resources ?? {}, gpuLimits(this, props.gpus, props.gpuResourceName));
    const requests = quantityMap(resources.requests, ServerSpecPodSpecContainersResourcesRequests.fromString);
    const limits = quantityMap(resources.limits, ServerSpecPodSpecContainersResourcesLimits.fromString);
    const serverContainer: ServerSpecPodSpecContainers = {
      name: this.serverConfig.serverContainer,
      image: this.image,
      imagePullPolicy: this.image ? imagePullPolicy(this.image) : undefined,
      resources: requests || limits ? { requests, limits } : undefined,
      securityContext: restrictedContainerSecurityContext(),
    };

    // The agent and rclone (Go, which reads SSL_CERT_FILE) download models from the runtime's bucket: over https they
    // verify it with its CA bundle. The operator appends these env vars, mounts and volumes to the ServerConfig's.
    const trust = props.runtime.modelsBucket?.objectStore.endpoint.trustBundle?.podFields();
    const trusting = trust ? {
      env: trust.env.map((entry) => ({ name: entry.name, value: entry.value })),
      volumeMounts: [trust.volumeMount as { name: string; mountPath: string }],
    } : {};

    this.resource = new Server(this, 'Resource', {
      metadata: { name: this.name, labels: componentLabels(this, { name: 'seldon', component: 'server', image: this.image }) },
      spec: {
        serverConfig: this.serverConfig.name,
        replicas: props.replicas,
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        capabilities: props.capabilities,
        extraCapabilities: props.extraCapabilities,
        podSpec: {
          ...gpuPodSpecFields(this, props.placement, { 'seldon-server-name': this.name }, props.gpus ?? 0, props.gpuResourceName ?? DEFAULT_GPU_RESOURCE),
          securityContext: restrictedPodSecurityContext(props.runAs ?? { user: 1000, group: 1000 }),
          volumes: trust ? [trust.volume as { name: string }] : undefined,
          containers: [
            ...SELDON_CONTAINERS.map((name) => ({ name, securityContext: restrictedContainerSecurityContext(), ...trusting })),
            serverContainer,
          ],
        },
      },
    });
  }
}
