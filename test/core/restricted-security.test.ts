import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, MinioWithBuckets, Postgres, RestrictedSecurity } from '../../src';
import { container, objectNamed, synthValid, testChart } from '../util';

describe('RestrictedSecurity', () => {
  test("the README's consumer Deployment passes the harness: Pod Security restricted, resources, wired flows", () => {
    // GIVEN the README's "Use it in your cdk8s app" code
    const chart = testChart('mlops');
    const mlflowDb = new Postgres(chart, 'Postgres').addDatabase('mlflow');
    const artifacts = new MinioWithBuckets(chart, 'Minio').addBucket('mlflow-artifacts');
    const runAs = { user: 1000, group: 1000 };

    // WHEN
    const api = new kplus.Deployment(chart, 'Api', { securityContext: RestrictedSecurity.podProps(runAs) });
    const app = api.addContainer({
      image: 'my-api:1.0',
      securityContext: RestrictedSecurity.containerProps(runAs),
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
    });
    RestrictedSecurity.mountWritablePaths(api, app, { tmp: '/tmp' });
    mlflowDb.bind(api, app, { uriEnv: 'DATABASE_URL' });
    const s3 = artifacts.grantReadWrite(api);
    app.env.addVariable('AWS_ACCESS_KEY_ID', s3.envValue(Credentials.USERNAME));

    // THEN
    const deployment = objectNamed(synthValid(chart), 'Deployment', 'api');
    expect(deployment.spec.template.spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch',
    });
    expect(container(deployment, 'main').securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(deployment, 'main').volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test('gives pod specs inside custom resources the same rules in Kubernetes\' field names', () => {
    expect(RestrictedSecurity.podSecurityContext({ user: 1000, group: 1000, fsGroup: 2000 })).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(RestrictedSecurity.containerSecurityContext()).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});
