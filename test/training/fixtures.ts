import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { IMlflowTracking, MinioWithBuckets, NfsSharedVolume } from '../../src';
import { ExternalObject } from '../../src/testing';
import { objectsOfKind, testChart, validManifests } from '../util';

export const NAMESPACE = 'mlops';
export const TRACKING: IMlflowTracking = { trackingUri: 'http://mlflow.mlops.svc:5000/mlflow' };

/** A chart in namespace `mlops` with a MinIO (buckets `datasets`, `models`) and an NFS share. */
export interface TrainingFixture {
  readonly chart: Chart;
  readonly minio: MinioWithBuckets;
  readonly nfs: NfsSharedVolume;
}

export function fixture(): TrainingFixture {
  const chart = testChart(NAMESPACE);
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['datasets', 'models'] });
  const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
  return { chart, minio, nfs };
}

/** The object a job's template ConfigMap holds, with the name the API server would generate. */
export function templateObject(configMap: any): any {
  const object = parse(configMap.data['template.yaml']);
  return { ...object, metadata: { ...object.metadata, name: `${object.metadata.generateName}x7k2p` } };
}

/**
 * Synthesizes `chart` and runs the validation harness on its objects together with the objects of every job template
 * in it (as a DAG task submits them), pod templates included. Fails on any finding.
 */
export function synthValidWithTemplates(chart: Chart, externalObjects: ExternalObject[] = []): { manifests: any[]; templates: any[] } {
  const manifests = Testing.synth(chart);
  const templates = objectsOfKind(manifests, 'ConfigMap')
    .filter((configMap) => configMap.data?.['template.yaml'] !== undefined)
    .map(templateObject);
  validManifests([...manifests, ...templates], externalObjects);
  return { manifests, templates };
}

