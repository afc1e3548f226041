import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';

const checkedRoots = new WeakSet<IConstruct>();

/**
 * Makes `app.synth()` (and `cdk8s synth`) fail when two constructs of the app make objects of one kind, namespace and
 * name, or two Services ask for one NodePort, naming both construct paths. Without it, the second object silently
 * replaces the first when applied. Registered once per app, by the first construct of the library made in it.
 */
export function registerCollisionCheck(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedRoots.has(root)) {
    return;
  }
  checkedRoots.add(root);
  root.node.addValidation({ validate: () => collisions(root) });
}

/** The construct that made an object: a cdk8s-plus object's own construct rather than its inner `Resource`. */
function maker(object: ApiObject): string {
  const path = object.node.path;
  return object.node.id === 'Resource' ? path.slice(0, -'/Resource'.length) : path;
}

function collisions(root: IConstruct): string[] {
  const errors: string[] = [];
  const owners = new Map<string, ApiObject>();
  const nodePorts = new Map<number, ApiObject>();
  const constructs = root.node.findAll();
  const kplusServices = new Map(constructs.filter((construct): construct is kplus.Service => construct instanceof kplus.Service)
    .map((service) => [ApiObject.of(service), service]));
  for (const object of constructs.filter((construct): construct is ApiObject => ApiObject.isApiObject(construct))) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    const namespace = object.metadata.namespace ?? '';
    const key = `${group}/${object.kind}\n${namespace}\n${object.name}`;
    // A name computed at render time (HashedJob's) is made from the construct path, which no other object shares.
    const first = typeof object.name === 'string' ? owners.get(key) : undefined;
    if (first) {
      errors.push(`${object.kind} '${namespace ? `${namespace}/` : ''}${object.name}' is made twice, by '${maker(first)}' and by '${maker(object)}': `
        + 'the one applied last would replace the other; give one of them another name (its construct id, or its name prop)');
    } else if (typeof object.name === 'string') {
      owners.set(key, object);
    }
    if (object.kind === 'Service' && group === '') {
      for (const nodePort of serviceNodePorts(object, kplusServices)) {
        const holder = nodePorts.get(nodePort);
        if (holder) {
          errors.push(`NodePort ${nodePort} is asked for by '${maker(holder)}' and by '${maker(object)}': NodePorts are cluster-wide; give each its own port`);
        } else {
          nodePorts.set(nodePort, object);
        }
      }
    }
  }
  return errors;
}

/** The NodePorts a Service asks for: from its cdk8s-plus ports, or else from its rendered spec. */
function serviceNodePorts(service: ApiObject, kplusServices: Map<ApiObject, kplus.Service>): number[] {
  const ports: unknown = kplusServices.get(service)?.ports ?? service.toJson()?.spec?.ports;
  return Array.isArray(ports) ? ports.map((port) => port?.nodePort).filter((port): port is number => typeof port === 'number') : [];
}
