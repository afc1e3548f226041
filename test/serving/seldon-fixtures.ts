import { Chart } from 'cdk8s';
import { IBucket } from '../../src/core/bucket';
import { ModelFormat } from '../../src/core/model-format';
import { ModelSource } from '../../src/core/model-source';
import { Kafka } from '../../src/data/kafka';
import { SeldonModel, SeldonModelProps } from '../../src/serving/seldon-model';
import { SeldonRuntime, SeldonRuntimeProps } from '../../src/serving/seldon-runtime';
import { SeldonServer } from '../../src/serving/seldon-server';
import { SeldonServerConfig } from '../../src/serving/seldon-server-config';
import { MinioWithBuckets } from '../../src/storage/minio-with-buckets';
import { testChart } from '../util';

/** A namespace with MinIO (bucket `models`), Kafka, a Seldon runtime, an MLServer server `mlserver` and a Triton server `triton`. */
export interface SeldonPlatform {
  readonly chart: Chart;
  readonly minio: MinioWithBuckets;
  readonly models: IBucket;
  readonly kafka: Kafka;
  readonly runtime: SeldonRuntime;
  readonly mlserver: SeldonServer;
  readonly triton: SeldonServer;
}

/** With `preloadModels`, the runtime's servers preload the rclone remote of the bucket `models` (`modelsBucket`). */
export function seldonPlatform(runtimeProps: SeldonRuntimeProps = {}, preloadModels: boolean = false): SeldonPlatform {
  const chart = testChart('mlops');
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
  const kafka = new Kafka(chart, 'Kafka');
  const runtime = new SeldonRuntime(chart, 'Seldon', {
    name: 'seldon', eventBus: kafka, modelsBucket: preloadModels ? minio.bucket('models') : undefined, ...runtimeProps,
  });
  const mlserver = new SeldonServer(chart, 'Mlserver', { runtime, name: 'mlserver', image: 'registry.example.com/mlserver-sklearn:1.7.1' });
  const triton = new SeldonServer(chart, 'Triton', { runtime, name: 'triton', serverConfig: SeldonServerConfig.TRITON });
  return { chart, minio, models: minio.bucket('models'), kafka, runtime, mlserver, triton };
}

/** An sklearn model `name` on the MLServer server, from `models/sklearn/<name>`. */
export function sklearnModel(platform: SeldonPlatform, name: string, props: Partial<SeldonModelProps> = {}): SeldonModel {
  return new SeldonModel(platform.chart, name, {
    runtime: platform.runtime,
    server: platform.mlserver,
    name,
    model: ModelSource.fromBucket(platform.models, `sklearn/${name}`),
    modelFormat: ModelFormat.SKLEARN,
    ...props,
  });
}
