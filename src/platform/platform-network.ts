import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** The chart's Namespace, enforcing Pod Security `restricted`. */
export function createRestrictedNamespace(scope: Construct, id: string, name: string): kplus.Namespace {
  const namespace = new kplus.Namespace(scope, id, {
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
      },
    },
  });
  // A Namespace is cluster-scoped: it must not carry the chart's namespace like the objects inside it.
  ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return namespace;
}

/**
 * Selects every pod of the namespace and allows no ingress: what reaches a pod is then exactly what the allow
 * policies of the wiring verbs (`bind`, `grantRead`, `allowFrom`, `allowScrapeFrom`) let in.
 */
export function denyAllIngress(scope: Construct, id: string): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, id, {
    selector: kplus.Pods.all(scope, `${id}-AllPods`),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

/**
 * Lets anyone reach `ports` of `provider`: traffic of a NodePort or an Ingress controller comes from outside the
 * namespace. Two peers, as `GitSyncAirflow` does: Cilium matches an ipBlock only outside the cluster, so an in-cluster
 * Ingress controller needs the namespace peer.
 */
export function allowFromAnywhere(scope: Construct, id: string, provider: kplus.IPodSelector, ports: number[]): kplus.NetworkPolicy {
  const tcp = ports.map((port) => kplus.NetworkPolicyPort.tcp(port));
  return new kplus.NetworkPolicy(scope, id, {
    selector: provider,
    ingress: {
      rules: [
        { peer: kplus.NetworkPolicyIpBlock.anyIpv4(scope, `${id}-Anywhere`), ports: tcp },
        { peer: kplus.Namespaces.all(scope, `${id}-AllNamespaces`), ports: tcp },
      ],
    },
  });
}
