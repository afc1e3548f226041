import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DagSource, MlopsCore, MlopsCoreProps, PlatformSecrets, SecretSource } from '../../src';
import { ExternalObject } from '../../src/testing';
import { objectNamed, podSpec, testChart } from '../util';

export const NAMESPACE = 'mlops';

/** An MlopsCore `Platform` in a fresh chart of namespace `mlops`, with public git DAGs unless `props` says otherwise. */
export function platform(props: Partial<MlopsCoreProps> = {}, chart: Chart = testChart(NAMESPACE)): MlopsCore {
  return new MlopsCore(chart, 'Platform', {
    dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' }),
    ...props,
  });
}

/** One existing Secret per credential of `PlatformSecrets`, and the external objects the harness needs for them. */
export function existingSecrets(chart: Chart): { secrets: PlatformSecrets; externals: ExternalObject[] } {
  const externals: ExternalObject[] = [];
  const source = (name: string, keys: string[]) => {
    externals.push({ kind: 'Secret', name, namespace: NAMESPACE, keys });
    return SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, `Existing-${name}`, name));
  };
  return {
    secrets: {
      postgresAdminPassword: source('postgres-admin', ['password']),
      airflowDatabasePassword: source('airflow-db', ['password']),
      mlflowDatabasePassword: source('mlflow-db', ['password']),
      minioRootCredentials: source('minio-root', ['password']),
      redisPassword: source('redis', ['password']),
      airflowAdminPassword: source('airflow-admin', ['password']),
      airflowFernetKey: source('airflow-fernet', ['fernet-key']),
      airflowApiSecretKey: source('airflow-api', ['api-secret-key']),
      airflowJwtSecret: source('airflow-jwt', ['jwt-secret']),
      grafanaAdminCredentials: source('grafana-admin', ['password']),
      grafanaDatabasePassword: source('grafana-db', ['password']),
      mlflowS3Credentials: source('mlflow-s3', ['password']),
      airflowS3Credentials: source('airflow-s3', ['password']),
      predictorS3Credentials: source('predictor-s3', ['password']),
    },
    externals,
  };
}

/** The labels of a workload's pods. */
export function podLabels(workload: any): Record<string, string> {
  return workload.kind === 'Pod' ? workload.metadata.labels : (workload.spec.jobTemplate?.spec ?? workload.spec).template.metadata.labels;
}

/** The pods of the workload of `kind` whose name contains `name`. */
export function podsOf(manifests: any[], kind: string, name: string): Record<string, string> {
  return podLabels(objectNamed(manifests, kind, name));
}

function selects(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** How a `from` peer sees a consumer: pods of the namespace with labels, or traffic from outside it. */
export type Consumer = Record<string, string> | 'any-namespace' | 'outside-cluster';

function peerMatches(peer: any, consumer: Consumer): boolean {
  if (consumer === 'outside-cluster') {
    return peer.ipBlock?.cidr === '0.0.0.0/0';
  }
  if (consumer === 'any-namespace') {
    return JSON.stringify(peer.namespaceSelector) === '{}' && JSON.stringify(peer.podSelector ?? {}) === '{}';
  }
  if (peer.ipBlock || !peer.podSelector) {
    return false;
  }
  const namespaceOk = peer.namespaceSelector === undefined || selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': NAMESPACE });
  return namespaceOk && selects(peer.podSelector, consumer);
}

/**
 * The NetworkPolicies that let `consumer` reach `port` of the pods labelled `provider`: their podSelector selects the
 * provider (and is not the empty default-deny selector), and one of their ingress rules has a peer that selects the
 * consumer and the port.
 */
export function policiesAllowing(manifests: any[], provider: Record<string, string>, consumer: Consumer, port: number): any[] {
  return manifests.filter((m) => m.kind === 'NetworkPolicy'
    && Object.keys(m.spec.podSelector.matchLabels ?? {}).length > 0
    && selects(m.spec.podSelector, provider)
    && (m.spec.ingress ?? []).some((rule: any) => (rule.from ?? []).some((peer: any) => peerMatches(peer, consumer))
      && (rule.ports ?? []).some((p: any) => p.port === port)));
}

/** The workloads of a manifest list whose pod spec has a container named `name`. */
export function workloadsWithContainer(manifests: any[], name: string): any[] {
  return manifests.filter((m) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(m.kind)
    && [...(podSpec(m).initContainers ?? []), ...podSpec(m).containers].some((c: any) => c.name === name));
}
