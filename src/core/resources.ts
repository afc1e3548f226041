import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * The resources of a small helper container: cpu request 10m, memory request 32Mi and limit 64Mi. Enough for the
 * one-shot python and shell Jobs (secret generation, database setup, credential copies) and the database exporters.
 */
export const SMALL_CONTAINER_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
};
