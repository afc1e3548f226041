import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Spreads the pods of a replicated `deployment` over nodes (pod anti-affinity by hostname) and adds a
 * PodDisruptionBudget that keeps one of them through node drains.
 */
export function makeHighlyAvailable(scope: Construct, id: string, deployment: kplus.Deployment): void {
  deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
  new kplus.k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { labels: deployment.matchLabels },
    spec: {
      minAvailable: kplus.k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: deployment.matchLabels },
    },
  });
}
