import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DefaultImages, HashedJob, ImageRegistry, RestrictedSecurity, WorkloadPlacement } from '../../src';
import { objectsOfKind, podSpec, synthValid, testChart } from '../util';

const RUN_AS = { user: 1000, group: 1000 };
const PULL_SECRET = { kind: 'Secret', name: 'registry-credentials', namespace: 'ml' };

function restrictedPod(image: string): kplus.DeploymentProps {
  return {
    securityContext: RestrictedSecurity.podProps(RUN_AS),
    containers: [{
      name: 'app',
      image,
      securityContext: RestrictedSecurity.containerProps(RUN_AS),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    }],
  };
}

describe('ImageRegistry', () => {
  test.each([
    ['postgres:17', 'docker.io/library/postgres:17'],
    ['postgres', 'docker.io/library/postgres'],
    ['apache/airflow:3.1.8', 'docker.io/apache/airflow:3.1.8'],
    ['docker.io/library/redis:7.2', 'docker.io/library/redis:7.2'],
    ['quay.io/jupyter/scipy-notebook:2025-01-01', 'quay.io/jupyter/scipy-notebook:2025-01-01'],
    ['localhost/app:1', 'localhost/app:1'],
    ['registry:5000/team/app@sha256:abc', 'registry:5000/team/app@sha256:abc'],
  ])('normalizes %s to %s', (image, normalized) => {
    expect(ImageRegistry.normalize(image)).toBe(normalized);
  });

  test('rewrites by registry, then by the prefix for the others, and leaves images without a mirror alone', () => {
    const registry = ImageRegistry.of({ mirrors: { 'docker.io': 'harbor.example.com/dockerhub' }, mirrorPrefix: 'harbor.example.com/mirror' });
    expect(registry.rewrite('postgres:17')).toBe('harbor.example.com/dockerhub/library/postgres:17');
    expect(registry.rewrite('quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z')).toBe('harbor.example.com/mirror/quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z');
    const dockerHubOnly = ImageRegistry.of({ mirrors: { 'docker.io': 'harbor.example.com:8443/dockerhub' } });
    expect(dockerHubOnly.rewrite('ghcr.io/mlflow/mlflow:v3.17.0-full')).toBe('ghcr.io/mlflow/mlflow:v3.17.0-full');
    expect(dockerHubOnly.rewrite(DefaultImages.PYTHON)).toBe('harbor.example.com:8443/dockerhub/library/python:3.13.15-slim-bookworm');
  });

  test('adds the pull Secrets to every pod spec under its scope when the app synthesizes, after those of a placement, and into the hash of a Job', () => {
    // GIVEN
    const chart = testChart('ml');
    ImageRegistry.of({ pullSecrets: [kplus.Secret.fromSecretName(chart, 'Pull', 'registry-credentials')] }).applyTo(chart);
    const placed = new kplus.Deployment(chart, 'Placed', restrictedPod('registry.example.com/app:1.0'));
    WorkloadPlacement.of({ imagePullSecrets: ['team-credentials', 'registry-credentials'] }).applyTo(placed);
    new kplus.Deployment(chart, 'Plain', restrictedPod('registry.example.com/app:1.0'));
    new HashedJob(chart, 'Job', restrictedPod('registry.example.com/app:1.0'));
    const withoutRegistry = testChart('ml');
    new HashedJob(withoutRegistry, 'Job', restrictedPod('registry.example.com/app:1.0'));
    const unpulled = Testing.synth(withoutRegistry)[0].metadata.name;

    // WHEN
    const manifests = synthValid(chart, [PULL_SECRET, { ...PULL_SECRET, name: 'team-credentials' }]);

    // THEN
    const pullSecrets = (kind: string) => objectsOfKind(manifests, kind).map((m) => podSpec(m).imagePullSecrets);
    expect(pullSecrets('Deployment')).toEqual([
      [{ name: 'team-credentials' }, { name: 'registry-credentials' }],
      [{ name: 'registry-credentials' }],
    ]);
    expect(pullSecrets('Job')).toEqual([[{ name: 'registry-credentials' }]]);
    expect(objectsOfKind(manifests, 'Job')[0].metadata.name).not.toBe(unpulled);
  });

  test.each<[string, () => ImageRegistry, string]>([
    ['a mirror with a scheme', () => ImageRegistry.of({ mirrors: { 'docker.io': 'https://harbor.example.com/dockerhub/' } }),
      "ImageRegistry.of: options.mirrors['docker.io'] 'https://harbor.example.com/dockerhub/' is invalid: an image reference has no scheme; "
      + "give the registry host and path alone, e.g. 'harbor.example.com/dockerhub'"],
    ['a prefix with a scheme', () => ImageRegistry.of({ mirrorPrefix: 'http://harbor.example.com' }),
      "ImageRegistry.of: options.mirrorPrefix 'http://harbor.example.com' is invalid: an image reference has no scheme; "
      + "give the registry host and path alone, e.g. 'harbor.example.com'"],
    ['a registry with a scheme', () => ImageRegistry.of({ mirrors: { 'https://docker.io': 'harbor.example.com/dockerhub' } }),
      "ImageRegistry.of: options.mirrors registry 'https://docker.io' is invalid: must be a registry host with an optional port, "
      + "without scheme or path, e.g. 'docker.io' or 'quay.io'"],
    ['a prefix with a trailing slash', () => ImageRegistry.of({ mirrorPrefix: 'harbor.example.com/mirror/' }),
      "ImageRegistry.of: options.mirrorPrefix 'harbor.example.com/mirror/' is invalid: must be a registry host with an optional port and "
      + "path of lowercase components, without a trailing '/', e.g. 'harbor.example.com/dockerhub'"],
  ])('refuses %s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  test('refuses a pull Secret of another type, and a second registry on one construct', () => {
    const chart = testChart('ml');
    const opaque = new kplus.Secret(chart, 'Opaque', { metadata: { name: 'not-a-registry' } });
    expect(() => ImageRegistry.of({ pullSecrets: [opaque] }).applyTo(chart)).toThrow(
      "Chart 'test': registry pullSecrets 'not-a-registry' is invalid: its type is 'Opaque', and the kubelet pulls only with "
      + "'kubernetes.io/dockerconfigjson' Secrets; create it with kubectl create secret docker-registry, or give an existing one "
      + "with kplus.Secret.fromSecretName(this, 'Pull', 'registry-credentials')");
    ImageRegistry.of({}).applyTo(chart);
    expect(() => ImageRegistry.of({}).applyTo(chart)).toThrow(
      "Chart 'test': registry is invalid: an image registry applies to this construct already; give it one registry");
  });
});
