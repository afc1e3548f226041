import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AlertRouteOptions } from './alert-route';
import { MlopsValidationError } from '../core/errors';
import { MlopsAlerts } from '../core/monitoring';
import { promDuration } from '../core/monitoring-promql';
import { aDuration, aUrl } from '../core/prop-kinds';
import { aBoolean, aListOf, anImplementationOf, aString, aStringMap, checkProps } from '../core/props-check';
import { AlertmanagerConfig, AlertmanagerConfigSpecRouteMatchersMatchType as MatchType } from '../imports/monitoring-alertmanagerconfig-monitoring.coreos.com';

/**
 * An AlertmanagerConfig (v1alpha1) with one webhook receiver and a route that matches the given alert names, under
 * `scope/AlertRoute-<id>`. `alerts` may name `MlopsAlerts` and the alerts of the contributions in `known`.
 */
export function createAlertRoute(
  scope: Construct, id: string, labels: Record<string, string>, options: AlertRouteOptions, known: readonly string[] = [],
): AlertmanagerConfig {
  checkProps(scope, options, { alerts: aListOf(aString('MlopsAlerts.MODEL_DRIFTED')) }, {
    // A query would carry a token into the manifests: such a URL belongs in webhookUrlSecret.
    webhookUrl: aUrl({ schemes: ['http', 'https'], example: 'http://retrain.mlops.svc:8080/hooks/drift' }),
    webhookUrlSecret: anImplementationOf('ISecret', ['name'], "kplus.Secret.fromSecretName(this, 'Webhook', 'retrain-webhook')"),
    webhookUrlSecretKey: aString("'url'"),
    matchLabels: aStringMap("{ model: 'iris' }"),
    sendResolved: aBoolean(),
    groupBy: aListOf(aString("'alertname'")),
    repeatInterval: aDuration({ example: 'Duration.hours(4)', atLeast: Duration.seconds(1) }),
  }, `addAlertRoute('${id}'): options`);
  const fail = (message: string) => new MlopsValidationError(scope, `addAlertRoute('${id}'): ${message}`);
  const knownAlerts = [...new Set([...MlopsAlerts.ALL, ...known])];
  if (options.alerts.length === 0) {
    throw fail(`alerts is invalid: it is empty; name at least one, e.g. [MlopsAlerts.MODEL_DRIFTED] (known: ${knownAlerts.join(', ')})`);
  }
  const unknown = options.alerts.filter((name) => !knownAlerts.includes(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `'${name}'`).join(', ');
    throw fail(`alerts is invalid: ${names} ${unknown.length === 1 ? 'is' : 'are'} not defined here; use ${knownAlerts.join(', ')}`);
  }
  if ((options.webhookUrl === undefined) === (options.webhookUrlSecret === undefined)) {
    throw fail('webhookUrl and webhookUrlSecret are invalid together: give exactly one of them');
  }
  const receiver = 'webhook';
  // An equality matcher has no matchType: empty means "=", and a plain `=` in the YAML is a YAML 1.1 value tag that
  // PyYAML and Ansible refuse to load.
  const matchers = [
    options.alerts.length === 1
      ? { name: 'alertname', value: options.alerts[0] }
      // Alertmanager anchors regular expressions at both ends.
      : { name: 'alertname', matchType: MatchType.VALUE_EQUAL_TILDE, value: options.alerts.join('|') },
    ...Object.entries(options.matchLabels ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return new AlertmanagerConfig(scope, `AlertRoute-${id}`, {
    metadata: { labels },
    spec: {
      route: {
        receiver,
        groupBy: options.groupBy ?? ['alertname', 'cluster', 'target_namespace', 'model'],
        repeatInterval: promDuration(options.repeatInterval ?? Duration.hours(4)),
        matchers,
      },
      receivers: [{
        name: receiver,
        webhookConfigs: [{
          url: options.webhookUrl,
          urlSecret: options.webhookUrlSecret
            ? { name: options.webhookUrlSecret.name, key: options.webhookUrlSecretKey ?? 'url' }
            : undefined,
          sendResolved: options.sendResolved ?? true,
        }],
      }],
    },
  });
}
