import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkKplusObject } from './kplus-compat';

/**
 * Allows TCP traffic from `consumer` to `provider` on `ports`, as an ingress NetworkPolicy selecting the provider's
 * pods, created once per consumer under `scope`. Once any policy selects a pod, only the allowed flows reach it, so
 * every consumer of a provider must come through the wiring verbs (`bind`, `grantRead`, ...).
 */
export function allowIngress(
  scope: Construct,
  provider: kplus.IPodSelector,
  consumer: kplus.INetworkPolicyPeer,
  ports: number[],
): void {
  checkKplusObject(scope, 'the consumer', consumer);
  const id = `AllowFrom-${consumer.node.path.split('/').join('-')}`;
  if (scope.node.tryFindChild(id)) {
    return;
  }
  new kplus.NetworkPolicy(scope, id, {
    selector: provider,
    ingress: {
      rules: [{ peer: consumer, ports: ports.map((port) => kplus.NetworkPolicyPort.tcp(port)) }],
    },
  });
}
