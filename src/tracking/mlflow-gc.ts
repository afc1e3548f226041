import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BACKEND_STORE_URI, backendStoreBinding } from './backend-store';
import { MlflowGcOptions } from './mlflow-options';
import { Credentials } from '../core/credentials';
import { IDatabase, withUriFromCommand } from '../core/database';
import { MlopsValidationError } from '../core/errors';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

/** `mlflow gc --older-than`: `#d#h#m#s`, each part optional, at least one given. */
const OLDER_THAN = /^(?=.)(\d+(\.\d+)?d)?(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?$/;

/** What the gc CronJob needs from the tracking server. */
export interface GcSpec {
  readonly image: string;
  readonly user: ImageUser;
  readonly database: IDatabase;
  readonly trackingUri: string;
  readonly admin?: Credentials;
  readonly resources: kplus.ContainerResources;
}

/**
 * The CronJob (`Gc`) that runs `mlflow gc`. Runs are proxied artifacts (`mlflow-artifacts:/`), which `mlflow gc`
 * deletes through the tracking server, so it gets `MLFLOW_TRACKING_URI` (and the admin user with basic auth) rather
 * than S3 credentials. The backend store URI reaches `--backend-store-uri` through `$(MLFLOW_BACKEND_STORE_URI)`,
 * which the kubelet expands: the option has no env var of its own.
 */
export function addGarbageCollection(scope: Construct, options: MlflowGcOptions, spec: GcSpec): kplus.CronJob {
  const olderThan = options.olderThan ?? '30d';
  if (!OLDER_THAN.test(olderThan)) {
    throw new MlopsValidationError(scope, `gc.olderThan '${olderThan}' is invalid: use MLflow's #d#h#m#s form, e.g. '30d' or '12h30m'`);
  }
  const labels = componentLabels(scope, { name: 'mlflow', component: 'tracking-gc', image: spec.image });
  const cronJob = new kplus.CronJob(scope, 'Gc', {
    metadata: { labels },
    podMetadata: { labels },
    schedule: options.schedule ?? Cron.schedule({ minute: '0', hour: '2', weekDay: '0' }),
    concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
    startingDeadline: Duration.hours(1),
    backoffLimit: 2,
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurity(spec.user),
    containers: [{
      name: 'gc',
      image: spec.image,
      imagePullPolicy: imagePullPolicy(spec.image),
      command: withUriFromCommand(BACKEND_STORE_URI, ['mlflow']),
      args: ['gc', '--backend-store-uri', `$(${BACKEND_STORE_URI})`, '--older-than', olderThan],
      envVariables: {
        HOME: kplus.EnvValue.fromValue('/tmp'),
        MLFLOW_TRACKING_URI: kplus.EnvValue.fromValue(spec.trackingUri),
      },
      securityContext: restrictedContainerSecurity(spec.user),
      resources: spec.resources,
    }],
  });
  const gc = cronJob.containers[0];
  gc.mount('/tmp', kplus.Volume.fromEmptyDir(cronJob, 'Writable-tmp', 'tmp'));
  if (spec.admin) {
    gc.env.addVariable('MLFLOW_TRACKING_USERNAME', spec.admin.envValue(Credentials.USERNAME));
    gc.env.addVariable('MLFLOW_TRACKING_PASSWORD', spec.admin.envValue(Credentials.PASSWORD));
  }
  spec.database.bind(cronJob, gc, backendStoreBinding(spec.database));
  return cronJob;
}
