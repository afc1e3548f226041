import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/** The cdk8s-plus package the library is built on. */
export const KPLUS_PACKAGE = 'cdk8s-plus-28';

/**
 * Refuses an object made with another cdk8s-plus major (`cdk8s-init` installs the newest, e.g. cdk8s-plus-33): its
 * classes are other classes, and mixing them breaks deep inside cdk8s-plus or synthesizes what neither intended.
 * jsii classes carry their fully qualified name (`cdk8s-plus-33.Deployment`), which names the package.
 */
export function checkKplusObject(where: IConstruct | string, name: string, value: unknown): void {
  const fqn = jsiiFqn(value);
  const kplusPackage = /^(cdk8s-plus-\d+)\./.exec(fqn ?? '')?.[1];
  if (kplusPackage === undefined || kplusPackage === KPLUS_PACKAGE) {
    return;
  }
  throw new MlopsValidationError(where, `${name} is invalid: it is ${kplusPackage}'s ${fqn!.slice(kplusPackage.length + 1)}, and cdk8s-mlops `
    + `is built on ${KPLUS_PACKAGE}; objects of two cdk8s-plus majors do not mix: make it with ${KPLUS_PACKAGE} `
    + `(npm uninstall ${kplusPackage} && npm install ${KPLUS_PACKAGE}, then import * as kplus from '${KPLUS_PACKAGE}')`);
}

/** The jsii type name of an object's class (or of the nearest base class that has one). */
function jsiiFqn(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  for (let type = value.constructor; typeof type === 'function' && type !== Object; type = Object.getPrototypeOf(type)) {
    // Own property only: a class that is not a jsii type inherits its base class's static.
    const rtti = Object.getOwnPropertyDescriptor(type, Symbol.for('jsii.rtti'))?.value as { fqn?: string } | undefined;
    if (rtti?.fqn) {
      return rtti.fqn;
    }
  }
  return undefined;
}
