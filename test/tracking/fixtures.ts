import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../../src';
import { Postgres } from '../../src/data';
import { MinioWithBuckets } from '../../src/storage';
import { MlflowTrackingProps } from '../../src/tracking';
import { objectNamed, testChart } from '../util';

/** A chart with Postgres (databases `mlflow`, `mlflow_auth`) and MinIO (bucket `mlflow-artifacts`); `null`: no namespace. */
export function platform(namespace: string | null = 'mlops') {
  const chart = testChart(namespace ?? undefined);
  const postgres = new Postgres(chart, 'Postgres', { databases: ['mlflow', 'mlflow_auth'] });
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['mlflow-artifacts'] });
  const props: MlflowTrackingProps = { database: postgres.database('mlflow'), artifacts: minio.bucket('mlflow-artifacts') };
  return { chart, postgres, minio, props };
}

/** A workload that passes the harness, to bind the tracking server to. */
export function notebook(chart: Chart): kplus.Deployment {
  const runAs = { user: 1000, group: 1000 };
  return new kplus.Deployment(chart, 'Notebook', {
    securityContext: restrictedPodSecurity(runAs),
    containers: [{
      name: 'notebook',
      image: 'example.com/notebook:1.0',
      securityContext: restrictedContainerSecurity(runAs),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) } },
    }],
  });
}

/** The tracking server's Deployment of the chart `test`, id `Mlflow`. */
export function server(manifests: any[]): any {
  return objectNamed(manifests, 'Deployment', 'test-mlflow');
}

/** The value following `flag` in `args`. */
export function argValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}
