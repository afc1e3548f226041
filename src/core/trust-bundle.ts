import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from './errors';
import { dnsSubdomainProblems } from './names';
import { anInstanceOf, aString, checkArgument, checkProps } from './props-check';

/** Where `mountInto` puts the bundle. */
const MOUNT_DIR = '/etc/mlops/ca';
const PEM_FILE = 'ca.crt';
const PKCS12_FILE = 'truststore.p12';
const VOLUME_ID = 'TrustBundle';
const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;
const VOLUME_NAME = 'ca-bundle';
/** The variables OpenSSL and Go (`SSL_CERT_FILE`), requests, boto3 and the AWS CLI, and libpq read a CA bundle from. */
const CA_FILE_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'AWS_CA_BUNDLE', 'PGSSLROOTCERT'];

/** The PKCS#12 truststore of a `TrustBundle`, for Java clients (Spark). */
export interface TrustStoreOptions {
  /** The ConfigMap key (in `binaryData`) that holds the PKCS#12 truststore, e.g. `truststore.p12`. */
  readonly key: string;
  /**
   * The truststore's password. It protects only the store's integrity: a truststore holds public certificates.
   */
  readonly password: string;
}

/** What a pod spec inside a custom resource needs to trust a bundle, in Kubernetes' field names. */
export interface TrustBundlePodFields {
  /** The pod's volume. */
  readonly volume: { [key: string]: any };
  /** The container's mount of it (read-only at `/etc/mlops/ca`). */
  readonly volumeMount: { [key: string]: any };
  /** The container's env: the variables that point clients at the PEM bundle. */
  readonly env: Array<{ [key: string]: string }>;
  /**
   * JVM options that make Java clients use the PKCS#12 truststore (`javax.net.ssl.trustStore*`), e.g. for Spark's
   * `extraJavaOptions`; empty when the bundle has no truststore.
   */
  readonly javaOptions: string;
}

/** Options of `TrustBundle.fromConfigMap`. */
export interface TrustBundleOptions {
  /**
   * The key that holds the PEM bundle.
   *
   * @default 'ca.crt'
   */
  readonly key?: string;

  /**
   * The PKCS#12 truststore the ConfigMap also holds.
   *
   * @default - none; Java clients get no truststore
   */
  readonly trustStore?: TrustStoreOptions;
}

/**
 * A CA bundle in a ConfigMap of the same name in every namespace that trusts it: written by trust-manager
 * (`PlatformTls` makes the Bundle) or by you. `mountInto` points a container's TLS clients at it.
 */
export class TrustBundle {
  /** The bundle in the ConfigMap `name`, in the namespace of each pod it is mounted into. */
  public static fromConfigMap(name: string, options: TrustBundleOptions = {}): TrustBundle {
    const where = 'TrustBundle.fromConfigMap';
    checkArgument(where, 'name', name, aString("'platform-ca-bundle'"));
    const problems = dnsSubdomainProblems(name);
    if (problems.length > 0) {
      throw new MlopsValidationError(where, `name '${name}' is invalid: ${problems.join('; ')}; give the ConfigMap's name, e.g. 'platform-ca-bundle'`);
    }
    checkProps(where, options, {}, { key: aString("'ca.crt'") }, 'options');
    const key = options.key ?? PEM_FILE;
    checkKey(where, 'options.key', key);
    if (options.trustStore !== undefined) {
      checkProps(where, options.trustStore, { key: aString("'truststore.p12'"), password: aString("'changeit'") }, {}, 'options.trustStore');
      checkKey(where, 'options.trustStore.key', options.trustStore.key);
      if (options.trustStore.key === key) {
        throw new MlopsValidationError(where, `options.trustStore.key '${key}' is invalid: it is the PEM bundle's key too; give another, e.g. 'truststore.p12'`);
      }
    }
    return new TrustBundle(name, key, options.trustStore);
  }

  private constructor(
    /** The ConfigMap's name. */
    public readonly configMapName: string,
    /** The key of the PEM bundle. */
    public readonly key: string,
    /** The PKCS#12 truststore, if the ConfigMap holds one. */
    public readonly trustStore?: TrustStoreOptions,
  ) {}

  /** The path of the PEM bundle in a container it is mounted into. */
  public get pemPath(): string {
    return `${MOUNT_DIR}/${PEM_FILE}`;
  }

  /** The path of the PKCS#12 truststore in a container it is mounted into, if the bundle has one. */
  public get trustStorePath(): string | undefined {
    return this.trustStore ? `${MOUNT_DIR}/${PKCS12_FILE}` : undefined;
  }

  /**
   * Mounts the bundle read-only into `container` of `pod` at `/etc/mlops/ca` and points its clients at it:
   * `SSL_CERT_FILE` (OpenSSL, Go), `REQUESTS_CA_BUNDLE` (Python requests), `AWS_CA_BUNDLE` (boto3, the AWS CLI) and
   * `PGSSLROOTCERT` (libpq). The PKCS#12 truststore, if any, is at `trustStorePath` for Java clients. Mounting it
   * twice into the same container changes nothing.
   */
  public mountInto(pod: kplus.AbstractPod, container: kplus.Container): void {
    checkArgument('TrustBundle.mountInto', 'pod', pod, anInstanceOf(kplus.AbstractPod, "new kplus.Deployment(this, 'App', { ... })"));
    checkArgument('TrustBundle.mountInto', 'container', container, anInstanceOf(kplus.Container, 'deployment.containers[0]'));
    const volume = this.volumeOf(pod);
    if (container.mounts.some((mount) => mount.volume === volume)) {
      return;
    }
    container.mount(MOUNT_DIR, volume, { readOnly: true });
    for (const name of CA_FILE_VARIABLES) {
      container.env.addVariable(name, kplus.EnvValue.fromValue(this.pemPath));
    }
  }

  /**
   * The same as `mountInto`, for a pod spec inside a custom resource (a PyTorchJob replica, a SparkApplication's pod
   * templates): the volume, the mount and the env in Kubernetes' field names, and the JVM options of the truststore.
   */
  public podFields(): TrustBundlePodFields {
    const store = this.trustStore;
    return {
      volume: { name: VOLUME_NAME, configMap: { name: this.configMapName, items: this.items().map(([key, path]) => ({ key, path })) } },
      volumeMount: { name: VOLUME_NAME, mountPath: MOUNT_DIR, readOnly: true },
      env: CA_FILE_VARIABLES.map((name) => ({ name, value: this.pemPath })),
      javaOptions: store
        ? `-Djavax.net.ssl.trustStore=${MOUNT_DIR}/${PKCS12_FILE} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=${store.password}`
        : '',
    };
  }

  private items(): Array<[string, string]> {
    return [[this.key, PEM_FILE], ...(this.trustStore ? [[this.trustStore.key, PKCS12_FILE] as [string, string]] : [])];
  }

  private volumeOf(pod: kplus.AbstractPod): kplus.Volume {
    const existing = pod.node.tryFindChild(VOLUME_ID);
    if (existing instanceof kplus.Volume) {
      return existing;
    }
    const configMap = kplus.ConfigMap.fromConfigMapName(pod as unknown as Construct, `${VOLUME_ID}-ConfigMap`, this.configMapName);
    return kplus.Volume.fromConfigMap(pod as unknown as Construct, VOLUME_ID, configMap, {
      name: VOLUME_NAME,
      items: Object.fromEntries(this.items().map(([key, path]) => [key, { path }])),
    });
  }
}

function checkKey(where: string, what: string, key: string): void {
  if (!KEY_PATTERN.test(key) || key.length > 253) {
    throw new MlopsValidationError(where, `${what} '${key}' is invalid: a ConfigMap key holds only letters, digits, '-', '_' and '.'; e.g. 'ca.crt'`);
  }
}
