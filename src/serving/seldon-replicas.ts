import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { aWholeNumber } from '../core/prop-kinds';

/** The replica props of a Seldon server or model. */
export interface SeldonReplicaProps {
  readonly replicas?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
}

const MAX = 1000;

/** The kinds of the replica props, for `checkProps`. */
export const SELDON_REPLICA_KINDS = {
  replicas: aWholeNumber(2, 1, MAX),
  minReplicas: aWholeNumber(1, 0, MAX),
  maxReplicas: aWholeNumber(4, 1, MAX),
};

/** Throws unless `minReplicas` ≤ `maxReplicas` and `replicas` is between them (each is checked by its kind). */
export function checkReplicas(scope: IConstruct, props: SeldonReplicaProps): void {
  const { replicas, minReplicas, maxReplicas } = props;
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    throw new MlopsValidationError(scope, `minReplicas '${minReplicas}' is invalid: it is more than maxReplicas '${maxReplicas}'; `
      + 'give a minReplicas no larger than maxReplicas, e.g. minReplicas 1 and maxReplicas 3');
  }
  if (replicas !== undefined && ((minReplicas !== undefined && replicas < minReplicas) || (maxReplicas !== undefined && replicas > maxReplicas))) {
    throw new MlopsValidationError(scope, `replicas '${replicas}' is invalid: it is outside minReplicas '${minReplicas ?? 0}' to maxReplicas `
      + `'${maxReplicas ?? MAX}'; give a replica count within them, or leave replicas out`);
  }
}
