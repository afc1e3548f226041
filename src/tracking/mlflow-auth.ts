import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { backendStoreBinding } from './backend-store';
import { MlflowBasicAuthOptions, MlflowPermission } from './mlflow-options';
import { AUTH_CONFIG_SCRIPT } from './mlflow-scripts';
import { Credentials } from '../core/credentials';
import { withUriFromCommand } from '../core/database';
import { imagePullPolicy } from '../core/images';
import { SecretSource } from '../core/secret-source';
import { ImageUser, restrictedContainerSecurity } from '../core/security';

const AUTH_DIR = '/etc/mlflow-auth';
const AUTH_CONFIG = `${AUTH_DIR}/basic_auth.ini`;

/** The env var the auth config script reads the auth database's URI from. */
const AUTH_DATABASE_URI = 'MLFLOW_AUTH_DATABASE_URI';

/** What the auth init container shares with the server's other containers. */
export interface AuthContainerSpec {
  readonly image: string;
  readonly user: ImageUser;
  readonly resources: kplus.ContainerResources;
  readonly tmp: kplus.Volume;
}

/** What `addBasicAuth` set up. */
export interface BasicAuthWiring {
  readonly admin: Credentials;
}

/**
 * Turns on the basic-auth app of the server in `deployment`: an init container writes the auth config into a
 * memory-backed emptyDir from env vars (admin password and auth database URI from their Secrets), and the server
 * reads it through `MLFLOW_AUTH_CONFIG_PATH`.
 */
export function addBasicAuth(
  scope: Construct, deployment: kplus.Deployment, options: MlflowBasicAuthOptions, spec: AuthContainerSpec,
): BasicAuthWiring {
  const admin = (options.admin ?? SecretSource.generated()).bind(scope, 'AdminCredentials', {
    secretValues: [Credentials.PASSWORD],
    values: { [Credentials.USERNAME]: 'admin' },
  });
  const flaskSecret = (options.flaskSecretKey ?? SecretSource.generated()).bind(scope, 'FlaskSecretKey', {
    secretValues: [Credentials.PASSWORD],
  });
  const config = kplus.Volume.fromEmptyDir(deployment, 'AuthConfig', 'auth-config', {
    medium: kplus.EmptyDirMedium.MEMORY,
    sizeLimit: Size.mebibytes(1),
  });

  const writer = deployment.addInitContainer({
    name: 'auth-config',
    image: spec.image,
    imagePullPolicy: imagePullPolicy(spec.image),
    command: withUriFromCommand(AUTH_DATABASE_URI, ['python', '-c', AUTH_CONFIG_SCRIPT]),
    envVariables: {
      HOME: kplus.EnvValue.fromValue('/tmp'),
      MLFLOW_AUTH_CONFIG_PATH: kplus.EnvValue.fromValue(AUTH_CONFIG),
      AUTH_DEFAULT_PERMISSION: kplus.EnvValue.fromValue((options.defaultPermission ?? MlflowPermission.READ).name),
      AUTH_ADMIN_USERNAME: admin.envValue(Credentials.USERNAME),
      AUTH_ADMIN_PASSWORD: admin.envValue(Credentials.PASSWORD),
    },
    securityContext: restrictedContainerSecurity(spec.user),
    resources: spec.resources,
  });
  writer.mount(AUTH_DIR, config);
  writer.mount('/tmp', spec.tmp);
  options.database.bind(deployment, writer, backendStoreBinding(options.database, AUTH_DATABASE_URI, 'AUTH_DB'));

  const server = deployment.containers[0];
  server.mount(AUTH_DIR, config, { readOnly: true });
  server.env.addVariable('MLFLOW_AUTH_CONFIG_PATH', kplus.EnvValue.fromValue(AUTH_CONFIG));
  server.env.addVariable('MLFLOW_FLASK_SERVER_SECRET_KEY', flaskSecret.envValue(Credentials.PASSWORD));
  return { admin };
}
