import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { GitAuthBinding } from './dag-internals';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';

/** Where git-sync finds the SSH key and known_hosts: the Airflow Helm chart's paths, git-sync's own defaults. */
const SSH_KEY_FILE = '/etc/git-secret/ssh';
const KNOWN_HOSTS_FROM_SECRET = '/etc/git-secret/known_hosts';
const KNOWN_HOSTS_FROM_CONFIG_MAP = '/etc/git-known-hosts/known_hosts';

/** How `GitAuth.ssh()` finds the deploy key and checks the server's host key. */
export interface GitSshAuthOptions {
  /** The Secret that holds the private key (PEM or OpenSSH format, as `ssh-keygen` writes it). */
  readonly secret: kplus.ISecret;

  /**
   * The key of `secret` that holds the private key.
   *
   * @default 'gitSshKey' - the key name the Airflow Helm chart uses
   */
  readonly privateKeyKey?: string;

  /**
   * The server's public host keys in known_hosts format, e.g. the output of `ssh-keyscan github.com` (check it
   * against the fingerprints the provider publishes). Not secret: it is kept in a ConfigMap.
   *
   * @default - `knownHostsKey` or `skipHostKeyVerification` must be given
   */
  readonly knownHosts?: string;

  /**
   * The key of `secret` that holds the known_hosts lines.
   *
   * @default - `knownHosts` or `skipHostKeyVerification` must be given
   */
  readonly knownHostsKey?: string;

  /**
   * Accepts any host key (`GITSYNC_SSH_KNOWN_HOSTS=false`): whoever can intercept the connection can then serve
   * other DAGs, which run with Airflow's credentials. Only for tests.
   *
   * @default false
   */
  readonly skipHostKeyVerification?: boolean;
}

/**
 * How git-sync authenticates to a private repository: an SSH deploy key or an HTTPS user and token. Either way the
 * secret stays in a Secret; the manifests only reference it.
 */
export abstract class GitAuth {
  /**
   * An SSH key (`GITSYNC_SSH=true`), mounted at `/etc/git-secret/ssh` with mode 0440 and read through
   * `GITSYNC_SSH_KEY_FILE`. The server's host key is checked against `knownHosts` or `knownHostsKey`, or not at all
   * with `skipHostKeyVerification` (exactly one of the three). The repository must be an SSH address, e.g.
   * `git@github.com:org/dags.git`.
   */
  public static ssh(options: GitSshAuthOptions): GitAuth {
    return new SshAuth(options);
  }

  /**
   * A user name and password or personal access token (`Credentials.USERNAME`, `Credentials.PASSWORD`), handed to
   * git-sync as `GITSYNC_USERNAME` and `GITSYNC_PASSWORD` from the Secret. For a Secret laid out like the Airflow Helm
   * chart's: `Credentials.fromSecret(secret, { keys: { username: 'GITSYNC_USERNAME', password: 'GITSYNC_PASSWORD' } })`.
   * The repository must be an `https://` URL.
   */
  public static https(credentials: Credentials): GitAuth {
    return new HttpsAuth(credentials);
  }

  /** @internal */
  public abstract readonly _protocol: 'ssh' | 'https';

  /** Checks the options; `scope` names the construct in the message. @internal */
  public abstract _validate(scope: IConstruct): void;

  /**
   * The env vars and volumes of one pod's git-sync containers; volumes are created under `pod`, shared objects (a
   * known_hosts ConfigMap) once under `owner`.
   *
   * @internal
   */
  public abstract _bind(owner: Construct, pod: Construct): GitAuthBinding;
}

class SshAuth extends GitAuth {
  public readonly _protocol = 'ssh';

  constructor(private readonly options: GitSshAuthOptions) {
    super();
  }

  public _validate(scope: IConstruct): void {
    const { knownHosts, knownHostsKey, skipHostKeyVerification } = this.options;
    const given = [knownHosts !== undefined, knownHostsKey !== undefined, skipHostKeyVerification === true].filter((g) => g).length;
    if (given !== 1) {
      throw new MlopsValidationError(scope, `GitAuth.ssh host key verification is invalid: give exactly one of knownHosts (e.g. the checked output of 'ssh-keyscan github.com'), knownHostsKey or skipHostKeyVerification: true (found ${given})`);
    }
    if (knownHosts !== undefined && !/^\S+\s+\S+\s+\S+/m.test(knownHosts)) {
      throw new MlopsValidationError(scope, "GitAuth.ssh knownHosts is invalid: must hold known_hosts lines ('<host> <key-type> <base64 key>'), e.g. the output of 'ssh-keyscan github.com'");
    }
  }

  public _bind(owner: Construct, pod: Construct): GitAuthBinding {
    const { secret, knownHosts, knownHostsKey } = this.options;
    const items: Record<string, kplus.PathMapping> = { [this.options.privateKeyKey ?? 'gitSshKey']: { path: 'ssh' } };
    if (knownHostsKey !== undefined) {
      items[knownHostsKey] = { path: 'known_hosts' };
    }
    // 0440 as in the Airflow chart: git-sync (uid 65533) reads it through the pod's fsGroup, which owns it.
    const keyVolume = kplus.Volume.fromSecret(pod, 'GitSecret', secret, { name: 'git-secret', defaultMode: 0o440, items });
    const mounts: Array<[string, kplus.Volume]> = [['/etc/git-secret', keyVolume]];
    let knownHostsFile = KNOWN_HOSTS_FROM_SECRET;
    if (knownHosts !== undefined) {
      const configMap = owner.node.tryFindChild('GitKnownHosts') as kplus.ConfigMap | undefined
        ?? new kplus.ConfigMap(owner, 'GitKnownHosts', { data: { known_hosts: knownHosts.trim() + '\n' } });
      mounts.push(['/etc/git-known-hosts', kplus.Volume.fromConfigMap(pod, 'GitKnownHosts', configMap, { name: 'git-known-hosts' })]);
      knownHostsFile = KNOWN_HOSTS_FROM_CONFIG_MAP;
    }
    const verify = this.options.skipHostKeyVerification !== true;
    const env: Array<[string, kplus.EnvValue]> = [
      ['GITSYNC_SSH', kplus.EnvValue.fromValue('true')],
      ['GITSYNC_SSH_KEY_FILE', kplus.EnvValue.fromValue(SSH_KEY_FILE)],
      ['GITSYNC_SSH_KNOWN_HOSTS', kplus.EnvValue.fromValue(String(verify))],
    ];
    if (verify) {
      env.push(['GITSYNC_SSH_KNOWN_HOSTS_FILE', kplus.EnvValue.fromValue(knownHostsFile)]);
    }
    // ssh looks the uid up in /etc/passwd; git-sync adds an entry only when the uid has none.
    env.push(['GITSYNC_ADD_USER', kplus.EnvValue.fromValue('true')]);
    return { env, mounts };
  }
}

class HttpsAuth extends GitAuth {
  public readonly _protocol = 'https';

  constructor(private readonly credentials: Credentials) {
    super();
  }

  public _validate(_scope: IConstruct): void {}

  public _bind(_owner: Construct, _pod: Construct): GitAuthBinding {
    return {
      env: [
        ['GITSYNC_USERNAME', this.credentials.envValue(Credentials.USERNAME)],
        ['GITSYNC_PASSWORD', this.credentials.envValue(Credentials.PASSWORD)],
      ],
      mounts: [],
    };
  }
}
