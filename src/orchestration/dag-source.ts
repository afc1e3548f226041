import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { DagPodOptions } from './dag-internals';
import { GitAuth } from './git-auth';
import { assertGitOptions, gitRepositoryProtocol } from './git-validation';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { aGitUrl } from '../core/prop-kinds';
import { anImage, anImplementationOf, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { ImageUser, restrictedContainerSecurity } from '../core/security';

/** Where every Airflow container sees the DAGs volume. */
const DAGS_MOUNT = '/opt/airflow/dags';
/** git-sync's `--root`: a sub-directory of the volume, which git-sync creates and owns. */
const GIT_ROOT = `${DAGS_MOUNT}/git`;
/** git-sync's `--link`, relative to the root: the symlink Airflow reads the checked-out commit through. */
const GIT_LINK = 'repo';
/** The git-sync image's own user. */
const GIT_SYNC_USER: ImageUser = { user: 65533, group: 65533 };
/** git-sync's HTTP endpoint: `/` answers 503 until the first sync has finished. */
const GIT_SYNC_HTTP_PORT = 8000;

/** git-sync's `--submodules` modes. */
export class GitSubmodules {
  /** Check out submodules, and theirs, recursively (git-sync's default). */
  public static readonly RECURSIVE = new GitSubmodules('recursive');
  /** Check out the repository's own submodules only. */
  public static readonly SHALLOW = new GitSubmodules('shallow');
  /** Ignore submodules. */
  public static readonly OFF = new GitSubmodules('off');

  private constructor(
    /** The value of `GITSYNC_SUBMODULES`. */
    public readonly mode: string,
  ) {}
}

/** A git repository of DAGs, for `DagSource.fromGit()`. */
export interface GitDagSourceOptions {
  /**
   * The repository: an `https://` URL (`https://github.com/org/dags.git`) or, with `GitAuth.ssh()`, an SSH address
   * (`git@github.com:org/dags.git` or `ssh://git@host/org/dags.git`). Never put credentials in it: use `auth`.
   */
  readonly repository: string;

  /**
   * The branch, tag or commit hash to sync (`GITSYNC_REF`).
   *
   * @default 'HEAD' - the remote's default branch
   */
  readonly ref?: string;

  /**
   * The folder inside the repository that holds the DAGs, e.g. `dags`. The repository root is on `PYTHONPATH` either
   * way, so DAGs import helper modules from anywhere in the repository.
   *
   * @default '' - the repository root
   */
  readonly subPath?: string;

  /**
   * How long git-sync waits between syncs (`GITSYNC_PERIOD`), a Go duration such as `60s` or `1m30s`.
   *
   * @default '60s'
   */
  readonly period?: string;

  /**
   * How many commits to fetch (`GITSYNC_DEPTH`); 0 fetches the whole history.
   *
   * @default 1
   */
  readonly depth?: number;

  /**
   * What to do with submodules (`GITSYNC_SUBMODULES`), e.g. for one central repository that gathers the DAG
   * repositories of several teams. Submodules are fetched with the same credentials: an SSH deploy key of one
   * repository cannot read the others (use a machine user's key), and an HTTPS token must be able to read them all.
   *
   * @default GitSubmodules.RECURSIVE
   */
  readonly submodules?: GitSubmodules;

  /**
   * The credentials of a private repository.
   *
   * @default - none: a public repository over HTTPS
   */
  readonly auth?: GitAuth;

  /**
   * The git-sync image; it must be git-sync v4 (`GITSYNC_*` variables) and run as uid 65533.
   *
   * @default DefaultImages.GIT_SYNC
   */
  readonly image?: string;

  /**
   * The resources of each git-sync container; `cpu` or `memory` left out keeps its default.
   *
   * @default - requests 10m cpu and 64Mi memory, limit 256Mi memory
   */
  readonly resources?: kplus.ContainerResources;
}

/** Options of `DagSource.fromVolume()`. */
export interface VolumeDagSourceOptions {
  /**
   * The folder of the volume that holds the DAGs; the volume root is on `PYTHONPATH`.
   *
   * @default '' - the volume root
   */
  readonly subPath?: string;
}

/**
 * Where Airflow's DAGs come from.
 *
 * - `DagSource.fromGit(...)`: a git repository kept in sync by git-sync v4: an init container syncs once before a
 *   pod starts and, in the scheduler, dag-processor and triggerer, a sidecar keeps syncing. Every task pod syncs
 *   once, in its own init container, so tasks need no shared volume (a task checks out the ref as it is when its pod
 *   starts).
 * - `DagSource.fromVolume(storage)`: DAGs on a volume that something else fills, e.g. an `NfsSharedVolume` written
 *   by CI. The volume is mounted read-only into the components and every task pod.
 */
export abstract class DagSource {
  /** DAGs from a git repository, synced by git-sync. */
  public static fromGit(options: GitDagSourceOptions): DagSource {
    checkProps('DagSource.fromGit', options, { repository: aGitUrl('https://github.com/org/dags.git', 'use GitAuth.https(credentials)') }, {
      ref: aString("'main'"),
      subPath: aString("'dags'"),
      auth: anInstanceOf(GitAuth, 'GitAuth.https(credentials)'),
      image: anImage('DefaultImages.GIT_SYNC'),
    }, 'options');
    return new GitDagSource(options);
  }

  /** DAGs on a volume (read-only), e.g. an `NfsSharedVolume` or a PersistentVolumeClaim. */
  public static fromVolume(storage: kplus.IStorage, options: VolumeDagSourceOptions = {}): DagSource {
    checkArgument('DagSource.fromVolume', 'storage', storage, anImplementationOf('IStorage', ['asVolume'], "new NfsSharedVolume(this, 'Dags', { server, path })"));
    return new VolumeDagSource(storage, options);
  }

  /** `AIRFLOW__CORE__DAGS_FOLDER`. @internal */
  public abstract readonly _dagsFolder: string;

  /** What goes on `PYTHONPATH`: the repository or volume root. @internal */
  public abstract readonly _pythonPath: string;

  /** Checks the options; `scope` names the construct in the message. @internal */
  public abstract _validate(scope: IConstruct): void;

  /** Gives one pod the DAGs. @internal */
  public abstract _attach(options: DagPodOptions): void;
}

class GitDagSource extends DagSource {
  public readonly _dagsFolder: string;
  public readonly _pythonPath = `${GIT_ROOT}/${GIT_LINK}`;

  constructor(private readonly options: GitDagSourceOptions) {
    super();
    this._dagsFolder = joinPath(this._pythonPath, options.subPath ?? '');
  }

  public _validate(scope: IConstruct): void {
    assertGitOptions(scope, this.options);
    const protocol = gitRepositoryProtocol(this.options.repository);
    const auth = this.options.auth;
    if (protocol === 'ssh' && auth?._protocol !== 'ssh') {
      throw new MlopsValidationError(scope, `dags repository '${this.options.repository}' is invalid with ${auth ? 'GitAuth.https()' : 'no auth'}: an SSH address needs GitAuth.ssh({ secret, ... }); for a token use the https:// URL with GitAuth.https(credentials)`);
    }
    if (protocol === 'https' && auth?._protocol === 'https' && this.options.repository.startsWith('http://')) {
      throw new MlopsValidationError(scope, `dags repository '${this.options.repository}' is invalid with GitAuth.https(): the user and token would `
        + 'cross the network in clear text over http://; use the https:// URL');
    }
    if (protocol === 'https' && auth?._protocol === 'ssh') {
      throw new MlopsValidationError(scope, `dags repository '${this.options.repository}' is invalid with GitAuth.ssh(): an https:// URL is fetched with a user and token; give the SSH address (git@host:org/repo.git) or use GitAuth.https(credentials)`);
    }
    auth?._validate(scope);
  }

  public _attach(options: DagPodOptions): void {
    const { pod, owner } = options;
    const dags = kplus.Volume.fromEmptyDir(pod, 'Dags', 'dags');
    for (const reader of options.readers) {
      reader.mount(DAGS_MOUNT, dags, { readOnly: true });
    }
    const auth = this.options.auth?._bind(owner, pod) ?? { env: [], mounts: [] };
    const tmp = kplus.Volume.fromEmptyDir(pod, 'GitSyncTmp', 'git-sync-tmp');
    const addGitSync = (container: kplus.Container) => {
      container.mount(DAGS_MOUNT, dags);
      container.mount('/tmp', tmp);
      for (const [path, volume] of auth.mounts) {
        container.mount(path, volume, { readOnly: true });
      }
    };
    addGitSync(pod.addInitContainer(this.containerProps(owner, 'git-sync-init', true, auth.env)));
    if (options.keepSyncing) {
      addGitSync(pod.addContainer(this.containerProps(owner, 'git-sync', false, auth.env)));
    }
  }

  private containerProps(owner: IConstruct, name: string, oneTime: boolean, authEnv: Array<[string, kplus.EnvValue]>): kplus.ContainerProps {
    const env: Array<[string, string]> = [
      ['GITSYNC_REPO', this.options.repository],
      ['GITSYNC_REF', this.options.ref ?? 'HEAD'],
      ['GITSYNC_ROOT', GIT_ROOT],
      ['GITSYNC_LINK', GIT_LINK],
      ['GITSYNC_PERIOD', this.options.period ?? '60s'],
      ['GITSYNC_DEPTH', String(this.options.depth ?? 1)],
      ['GITSYNC_SUBMODULES', (this.options.submodules ?? GitSubmodules.RECURSIVE).mode],
      oneTime ? ['GITSYNC_ONE_TIME', 'true'] : ['GITSYNC_HTTP_BIND', `:${GIT_SYNC_HTTP_PORT}`],
    ];
    const resources = this.options.resources;
    return {
      name,
      image: this.options.image ?? defaultImage(owner, DefaultImages.GIT_SYNC),
      // Every task pod runs git-sync once: pulling a pinned tag again each time only slows tasks down.
      imagePullPolicy: imagePullPolicy(this.options.image ?? DefaultImages.GIT_SYNC),
      envVariables: Object.fromEntries([
        ...env.map(([key, value]): [string, kplus.EnvValue] => [key, kplus.EnvValue.fromValue(value)]),
        ...authEnv,
      ]),
      securityContext: restrictedContainerSecurity(GIT_SYNC_USER),
      resources: {
        cpu: resources?.cpu ?? { request: kplus.Cpu.millis(10) },
        memory: resources?.memory ?? { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        ephemeralStorage: resources?.ephemeralStorage,
      },
      ports: oneTime ? undefined : [{ name: 'git-sync', number: GIT_SYNC_HTTP_PORT }],
      readiness: oneTime ? undefined : kplus.Probe.fromHttpGet('/', { port: GIT_SYNC_HTTP_PORT }),
    };
  }
}

class VolumeDagSource extends DagSource {
  public readonly _dagsFolder: string;
  public readonly _pythonPath = DAGS_MOUNT;

  constructor(private readonly storage: kplus.IStorage, private readonly options: VolumeDagSourceOptions) {
    super();
    this._dagsFolder = joinPath(DAGS_MOUNT, options.subPath ?? '');
  }

  public _validate(scope: IConstruct): void {
    assertGitOptions(scope, { subPath: this.options.subPath });
  }

  public _attach(options: DagPodOptions): void {
    for (const reader of options.readers) {
      reader.mount(DAGS_MOUNT, this.storage, { readOnly: true });
    }
  }
}

function joinPath(base: string, subPath: string): string {
  const rest = subPath.replace(/^\/+|\/+$/g, '');
  return rest ? `${base}/${rest}` : base;
}

