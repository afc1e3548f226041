import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { IDatabase, MinioWithBuckets, Postgres } from '../../src';
import { DagSource, GitSyncAirflow, GitSyncAirflowProps } from '../../src/orchestration';
import { ExternalObject, ManifestValidator } from '../../src/testing';
import { container, envOf, objectNamed, testChart } from '../util';

/** A chart in namespace `mlops` with a Postgres (database `airflow`) and a MinIO (bucket `airflow-logs`). */
export interface AirflowFixture {
  readonly chart: Chart;
  readonly database: IDatabase;
  readonly minio: MinioWithBuckets;
}

export function fixture(): AirflowFixture {
  const chart = testChart('mlops');
  const postgres = new Postgres(chart, 'Postgres', { databases: ['airflow'] });
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['airflow-logs'] });
  return { chart, database: postgres.database('airflow'), minio };
}

export const PUBLIC_REPO = 'https://github.com/example/dags.git';

/** A GitSyncAirflow `Airflow` in the fixture with public git DAGs and the log bucket, unless `props` says otherwise. */
export function airflow(f: AirflowFixture, props: Partial<GitSyncAirflowProps> = {}): GitSyncAirflow {
  return new GitSyncAirflow(f.chart, 'Airflow', {
    database: f.database,
    dags: DagSource.fromGit({ repository: PUBLIC_REPO }),
    logBucket: f.minio.bucket('airflow-logs'),
    ...props,
  });
}

/** The task pod the scheduler creates: the Pod in `pod_template_file.yaml`. */
export function taskPod(manifests: any[]): any {
  const configMap = objectNamed(manifests, 'ConfigMap', 'airflow-podtemplate');
  return parse(configMap.data['pod_template_file.yaml']);
}

/**
 * Synthesizes `chart` and runs the validation harness on its objects together with the task pod of every
 * GitSyncAirflow in it: the scheduler creates those pods at run time, from the template, and they refer to the
 * chart's Secrets, ConfigMaps and ServiceAccount, so they are checked like any other pod. Fails on any finding.
 */
export function synthValidWithTaskPod(chart: Chart, externalObjects: ExternalObject[] = []): { manifests: any[]; pod: any } {
  const manifests = Testing.synth(chart);
  const pod = taskPod(manifests);
  const findings = new ManifestValidator({ externalObjects }).validateManifests([...manifests, pod]);
  if (findings.length > 0) {
    throw new Error(`validation harness findings:\n${ManifestValidator.format(findings)}`);
  }
  return { manifests, pod };
}

/** The Airflow components' Deployments, by component. */
export const COMPONENTS = ['apiserver', 'scheduler', 'dagprocessor', 'triggerer'];

export function deployment(manifests: any[], component: string): any {
  return objectNamed(manifests, 'Deployment', `airflow-${component}`);
}

/** The env of the main container of a component (named after it: api-server, scheduler, ...). */
export function componentEnv(manifests: any[], component: string, containerName: string): Record<string, any> {
  return envOf(container(deployment(manifests, component), containerName));
}
