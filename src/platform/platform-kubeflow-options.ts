import { IBucket } from '../core/bucket';

/** MLflow through Kubeflow's Istio ingress gateway (`MlopsCoreProps.kubeflowGateway`). */
export interface KubeflowGatewayOptions {
  /**
   * The host users open Kubeflow at, e.g. `kubeflow.example.com`: MLflow's `--allowed-hosts` gets it.
   */
  readonly host: string;

  /**
   * The Istio Gateway, `<namespace>/<name>`.
   *
   * @default 'kubeflow/kubeflow-gateway'
   */
  readonly gateway?: string;

  /**
   * The namespace of the gateway's pods (`istio-ingressgateway`), which the NetworkPolicy lets reach MLflow.
   *
   * @default 'istio-system'
   */
  readonly gatewayNamespace?: string;

  /**
   * The cluster's DNS domain: Istio finds MLflow in its service registry by its fully qualified name,
   * `<service>.<namespace>.svc.<clusterDomain>`.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** What `MlopsCore.addKubeflowProfile` injects into a profile namespace. */
export interface KubeflowProfileOptions {
  /**
   * The Secret with the keys `username` (access key id) and `password` (secret key) of the profile's MinIO user. Create
   * it, with the same name and keys, in the platform's namespace (where the MinIO user is made from it) and in the
   * profile's (where the notebooks read it), as for a serving cluster's copy: no key is ever in the manifests.
   *
   * @default '<profile namespace>-s3-credentials'
   */
  readonly s3CredentialsSecretName?: string;

  /**
   * The buckets the profile's pods read and write.
   *
   * @default - the platform's datasets and models buckets
   */
  readonly buckets?: IBucket[];

  /**
   * The Pipelines API token PodDefault (`access-ml-pipeline`).
   *
   * @default true
   */
  readonly pipelineAccess?: boolean;
}
