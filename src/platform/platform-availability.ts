import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Runs `replicas` pods of `deployment`, preferably on different nodes (pod anti-affinity by hostname), with a
 * PodDisruptionBudget that keeps one of them through node drains.
 */
export function makeHighlyAvailable(scope: Construct, id: string, deployment: kplus.Deployment, replicas: number): void {
  if (deployment.replicas !== replicas) {
    ApiObject.of(deployment).addJsonPatch(JsonPatch.replace('/spec/replicas', replicas));
  }
  deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
  new kplus.k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { labels: deployment.matchLabels },
    spec: {
      minAvailable: kplus.k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: deployment.matchLabels },
    },
  });
}
