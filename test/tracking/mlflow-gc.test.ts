import { Cron } from 'cdk8s';
import { platform, server } from './fixtures';
import { MlflowTracking } from '../../src/tracking';
import { container, envOf, launchedCommand, objectNamed, synthValid } from '../util';

describe('MlflowTracking garbage collection', () => {
  test('runs `mlflow gc` weekly against the backend store, deleting artifacts through the server', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', { ...props, basicAuth: { database: postgres.database('mlflow_auth') }, gc: {} });
    // THEN
    const manifests = synthValid(chart);
    const cronJob = objectNamed(manifests, 'CronJob', 'test-mlflow-gc');
    expect(cronJob.spec.schedule).toBe('0 2 * * 0');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const gc = container(cronJob, 'gc');
    expect(launchedCommand(gc, 'MLFLOW_BACKEND_STORE_URI')).toEqual(['mlflow']);
    expect(gc.args).toEqual(['gc', '--backend-store-uri', '$(MLFLOW_BACKEND_STORE_URI)', '--older-than', '30d']);
    const admin = objectNamed(manifests, 'Secret', 'mlflow-admincredentials').metadata.name;
    expect(envOf(gc)).toMatchObject({
      MLFLOW_TRACKING_URI: { value: mlflow.trackingUri },
      MLFLOW_TRACKING_USERNAME: { valueFrom: { secretKeyRef: { name: admin, key: 'username' } } },
      MLFLOW_TRACKING_PASSWORD: { valueFrom: { secretKeyRef: { name: admin, key: 'password' } } },
    });
    expect(Object.keys(envOf(gc)).indexOf('MLFLOW_BACKEND_STORE_URI_CMD')).toBeGreaterThan(Object.keys(envOf(gc)).indexOf('DB_PASSWORD'));
    const toServer = objectNamed(manifests, 'NetworkPolicy', 'mlflow-allowfrom-test-mlflow-gc');
    expect(toServer.spec.podSelector.matchLabels).toEqual(server(manifests).spec.selector.matchLabels);
    expect(toServer.spec.ingress[0]).toEqual({
      from: [expect.objectContaining({ podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': cronJob.spec.jobTemplate.spec.template.metadata.labels['cdk8s.io/metadata.addr'] } } })],
      ports: [{ port: 5000, protocol: 'TCP' }],
    });
    expect(mlflow.gcCronJob).toBeDefined();
  });

  test('takes a schedule and an age', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', { ...props, gc: { schedule: Cron.daily(), olderThan: '7d12h' } });
    // THEN
    const cronJob = objectNamed(synthValid(chart), 'CronJob', 'test-mlflow-gc');
    expect(cronJob.spec.schedule).toBe('0 0 * * *');
    expect(container(cronJob, 'gc').args.slice(-1)).toEqual(['7d12h']);
  });
});
