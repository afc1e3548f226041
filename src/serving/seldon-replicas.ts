import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { assertWholeNumber } from '../core/whole-number';

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
  if (replicas !== undefined) assertWholeNumber(scope, 'replicas', replicas, 1, MAX);
  if (minReplicas !== undefined) assertWholeNumber(scope, 'minReplicas', minReplicas, 0, MAX);
  if (maxReplicas !== undefined) assertWholeNumber(scope, 'maxReplicas', maxReplicas, 1, MAX);
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    throw new MlopsValidationError(scope, `minReplicas '${minReplicas}' is invalid: it is more than maxReplicas '${maxReplicas}'; `
      + 'give a minReplicas no larger than maxReplicas, e.g. minReplicas 1 and maxReplicas 3');
  }
  if (replicas !== undefined && ((minReplicas !== undefined && replicas < minReplicas) || (maxReplicas !== undefined && replicas > maxReplicas))) {
    throw new MlopsValidationError(scope, `replicas '${replicas}' is invalid: it is outside minReplicas '${minReplicas ?? 0}' to maxReplicas `
      + `'${maxReplicas ?? MAX}'; give a replica count within them, or leave replicas out`);
  }
}
