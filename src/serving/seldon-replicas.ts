import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';

/** The replica props of a Seldon server or model. */
export interface SeldonReplicaProps {
  readonly replicas?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
}

const MAX = 1000;

/** Throws unless the counts are whole numbers in range, `minReplicas` ≤ `maxReplicas`, and `replicas` between them. */
export function checkReplicas(scope: IConstruct, props: SeldonReplicaProps): void {
  const { replicas, minReplicas, maxReplicas } = props;
  checkWhole(scope, 'replicas', replicas, 1);
  checkWhole(scope, 'minReplicas', minReplicas, 0);
  checkWhole(scope, 'maxReplicas', maxReplicas, 1);
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    throw new MlopsValidationError(scope, `minReplicas '${minReplicas}' is invalid: it is more than maxReplicas '${maxReplicas}'; `
      + 'give a minReplicas no larger than maxReplicas, e.g. minReplicas 1 and maxReplicas 3');
  }
  if (replicas !== undefined && ((minReplicas !== undefined && replicas < minReplicas) || (maxReplicas !== undefined && replicas > maxReplicas))) {
    throw new MlopsValidationError(scope, `replicas '${replicas}' is invalid: it is outside minReplicas '${minReplicas ?? 0}' to maxReplicas `
      + `'${maxReplicas ?? MAX}'; give a replica count within them, or leave replicas out`);
  }
}

function checkWhole(scope: IConstruct, what: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > MAX)) {
    throw new MlopsValidationError(scope, `${what} '${value}' is invalid: must be a whole number from ${min} to ${MAX}`);
  }
}
