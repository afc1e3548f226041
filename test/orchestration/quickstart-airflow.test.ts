import { Testing } from 'cdk8s';
import { QuickstartChart } from '../../examples/quickstart/quickstart-chart';
import { DagSource, GitSubmodules, GitSyncAirflow } from '../../src/orchestration';
import { objectsOfKind } from '../util';
import { synthValidWithTaskPod } from './fixtures';

/** The lines proposed for examples/quickstart/quickstart-chart.ts, added to the chart as it is today. */
function quickstartWithAirflow(): QuickstartChart {
  const chart = new QuickstartChart(Testing.app(), 'quickstart');
  const airflow = new GitSyncAirflow(chart, 'Airflow', {
    database: chart.postgres.database('airflow'),
    dags: DagSource.fromGit({
      repository: 'https://github.com/apache/airflow.git',
      ref: '3.1.8',
      subPath: 'airflow-core/src/airflow/example_dags',
      submodules: GitSubmodules.OFF,
    }),
    logBucket: chart.minio.bucket('airflow-logs'),
    nodePort: 30007,
  });
  airflow.addS3Connection('models_s3', chart.minio.bucket('models'));
  airflow.addRedisConnection('task_values', chart.redis);
  return chart;
}

describe('examples/quickstart with GitSyncAirflow', () => {
  test('passes the validation harness, task pod included, with everything in the namespace and no secret value', () => {
    const { manifests } = synthValidWithTaskPod(quickstartWithAirflow());
    const namespaced = manifests.filter((m) => m.kind !== 'Namespace');
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set(['mlops']));
    for (const secret of objectsOfKind(manifests, 'Secret')) {
      expect(secret.data).toBeUndefined();
      expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBeDefined();
    }
  });
});
