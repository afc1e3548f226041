import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * The headless governing Service (`Headless`, `clusterIP: None`) of a StatefulSet, which gives each pod a stable DNS
 * name (`<pod>.<service>.<namespace>.svc`), beside the ClusterIP Service that clients use. Its
 * `app.kubernetes.io/component` label ends in `-headless`, so that selectors of the clients' Service (a
 * ServiceMonitor's) do not pick it too.
 */
export function addGoverningService(scope: Construct, labels: Record<string, string>, ports: kplus.ServicePort[]): kplus.Service {
  const component = labels['app.kubernetes.io/component'];
  return new kplus.Service(scope, 'Headless', {
    metadata: { labels: { ...labels, 'app.kubernetes.io/component': `${component}-headless` } },
    clusterIP: 'None',
    ports,
  });
}
