import * as kplus from 'cdk8s-plus-28';
import { imagePullPolicy } from '../../src/core/images';

test.each([
  ['docker.io/library/postgres:17.11-bookworm', kplus.ImagePullPolicy.IF_NOT_PRESENT],
  ['registry.example.com:5000/team/airflow:3.1.8', kplus.ImagePullPolicy.IF_NOT_PRESENT],
  ['quay.io/minio/minio@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', kplus.ImagePullPolicy.IF_NOT_PRESENT],
  ['registry.example.com:5000/team/airflow', kplus.ImagePullPolicy.ALWAYS],
  ['my-model-server:latest', kplus.ImagePullPolicy.ALWAYS],
])('%s is pulled %s', (image, policy) => {
  expect(imagePullPolicy(image)).toBe(policy);
});
