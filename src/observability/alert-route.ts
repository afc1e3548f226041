import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** A webhook that receives some of the alerts, e.g. the trigger that starts a retraining run on `ModelDrifted`. */
export interface AlertRouteOptions {
  /**
   * The alerts routed to the webhook, e.g. `[MlopsAlerts.MODEL_DRIFTED]`.
   */
  readonly alerts: string[];

  /**
   * The webhook's URL (`http://` or `https://`). Put a URL that carries a token in a Secret and use
   * `webhookUrlSecret` instead: this one is written into the manifests as it is.
   *
   * @default - `webhookUrlSecret` must be given
   */
  readonly webhookUrl?: string;

  /**
   * A Secret in this chart's namespace that holds the webhook's URL under `webhookUrlSecretKey`.
   *
   * @default - `webhookUrl` must be given
   */
  readonly webhookUrlSecret?: kplus.ISecret;

  /**
   * The key of `webhookUrlSecret` that holds the URL.
   *
   * @default 'url'
   */
  readonly webhookUrlSecretKey?: string;

  /**
   * More label values an alert must have to take this route, e.g. `{ severity: 'critical' }`.
   *
   * @default - only the alert names are matched
   */
  readonly matchLabels?: { [label: string]: string };

  /**
   * Whether the webhook is told when an alert resolves too.
   *
   * @default true
   */
  readonly sendResolved?: boolean;

  /**
   * The labels alerts are grouped by into one notification.
   *
   * @default ['alertname', 'cluster', 'target_namespace', 'model']
   */
  readonly groupBy?: string[];

  /**
   * How long to wait before sending a notification again for alerts that still fire.
   *
   * @default Duration.hours(4)
   */
  readonly repeatInterval?: Duration;
}
