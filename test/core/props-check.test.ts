import { Testing } from 'cdk8s';
import { FederatedPrometheus, GitSyncAirflow, KservePredictor, ModelFormat, Postgres } from '../../src';
import { testChart } from '../util';

/** What a JavaScript or Python caller without compiler help gets for a missing or wrongly typed prop. */
describe('props are checked where a construct takes them', () => {
  test('a missing required prop names the construct, the prop and what to give', () => {
    const chart = testChart('mlops');
    const database = new Postgres(chart, 'Postgres').addDatabase('airflow');
    expect(() => new GitSyncAirflow(chart, 'Airflow', { database } as any)).toThrow(
      "GitSyncAirflow 'test/Airflow': props.dags is missing: give a DagSource, e.g. DagSource.fromGit({ repository: 'https://github.com/org/dags.git' })");
  });

  test('a string where an object is expected says what it got', () => {
    const chart = testChart('mlops');
    expect(() => new KservePredictor(chart, 'Iris', { model: 's3://models/iris', modelFormat: ModelFormat.SKLEARN } as any)).toThrow(
      "KservePredictor 'test/Iris': props.model is invalid: expected a ModelSource, got a string (\"s3://models/iris\"); "
      + "give e.g. ModelSource.fromBucket(minio.bucket('models'), 'sklearn/iris')");
  });

  test('a number where a Size is expected', () => {
    expect(() => new Postgres(testChart('mlops'), 'Postgres', { storageSize: 10 } as any)).toThrow(
      "Postgres 'test/Postgres': props.storageSize is invalid: expected a Size, got a number (10); give e.g. Size.gibibytes(10)");
  });

  test('no props at all lists what is required', () => {
    expect(() => new FederatedPrometheus(testChart('mlops'), 'Prometheus', undefined as any)).toThrow(
      "FederatedPrometheus 'test/Prometheus': props is missing: give an object with clusterName (a DNS label (lowercase letters, digits and '-', at most 63), e.g. 'central')");
  });

  test('props that are not an object', () => {
    expect(() => new Postgres(Testing.chart(), 'Postgres', 'postgres' as any)).toThrow(
      "Postgres 'test/Postgres': props is invalid: expected an object of properties, got a string (\"postgres\")");
  });
});
