import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Credentials, MinioWithBuckets, Postgres, SecretSource, WorkloadPlacement } from '../../src';
import { workload } from '../data/fixtures';
import { testChart } from '../util';

/** What a class of cdk8s-plus-33 looks like at run time: a construct class whose jsii type name names its package. */
function otherKplusClass(kind: string): new (scope: Construct, id: string) => any {
  const type = class extends Construct {};
  Object.defineProperty(type, Symbol.for('jsii.rtti'), { value: { fqn: `cdk8s-plus-33.${kind}`, version: '2.4.0' } });
  return type;
}

const fix = "objects of two cdk8s-plus majors do not mix: make it with cdk8s-plus-28 (npm uninstall cdk8s-plus-33 && npm install cdk8s-plus-28, then import * as kplus from 'cdk8s-plus-28')";

describe('a cdk8s-plus object of another major', () => {
  test('is refused where Secrets enter, naming both packages and the fix', () => {
    const secret = new (otherKplusClass('Secret'))(testChart(), 'Secret');
    expect(() => SecretSource.fromSecret(secret)).toThrow(
      `SecretSource.fromSecret: secret is invalid: it is cdk8s-plus-33's Secret, and cdk8s-mlops is built on cdk8s-plus-28; ${fix}`);
    expect(() => Credentials.fromSecret(secret)).toThrow("Credentials.fromSecret: secret is invalid: it is cdk8s-plus-33's Secret");
  });

  test('is refused by the wiring verbs and by WorkloadPlacement.applyTo', () => {
    const chart = testChart();
    const deployment = new (otherKplusClass('Deployment'))(chart, 'App');
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('models');
    expect(() => bucket.grantRead(deployment)).toThrow("the consumer is invalid: it is cdk8s-plus-33's Deployment");
    expect(() => WorkloadPlacement.of({ nodeSelector: { disk: 'ssd' } }).applyTo(deployment)).toThrow(
      "WorkloadPlacement.applyTo: workload is invalid: it is cdk8s-plus-33's Deployment");
    const database = new Postgres(chart, 'Postgres').addDatabase('app');
    const container = new (otherKplusClass('Container'))(chart, 'Container');
    expect(() => database.bind(workload(chart, 'Api').deployment, container)).toThrow("the container is invalid: it is cdk8s-plus-33's Container");
  });

  test('objects of cdk8s-plus-28, and imported ones without a jsii type of their own, pass', () => {
    const chart = testChart();
    expect(() => SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Existing', 'existing'))).not.toThrow();
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('models');
    expect(() => bucket.grantRead(workload(chart, 'Reader').deployment)).not.toThrow();
  });
});
