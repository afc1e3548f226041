import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Credentials, CredentialsOptions } from './credentials';
import { GeneratedSecret } from './generated-secret';
import { checkKplusObject } from './kplus-compat';
import { aNumber, anInstanceOf, checkProps } from './props-check';
import { SecretValueFormat } from './secret-value-format';

/** What a component needs from a secret source. */
export interface SecretRequest {
  /** The names of the values that must be secret and random when generated, e.g. `['password']`. */
  readonly secretValues: string[];

  /**
   * Values that are not secret (a user name), stored next to the secret ones when the Secret is generated.
   *
   * @default - none
   */
  readonly values?: { [name: string]: string };
}

/** Options for a Secret generated inside the cluster. */
export interface GeneratedSecretOptions {
  /**
   * The form of each random value.
   *
   * @default SecretValueFormat.ALPHANUMERIC
   */
  readonly format?: SecretValueFormat;

  /**
   * The size of each random value, from 16 to 256: characters for `ALPHANUMERIC`, random bytes for
   * `URL_SAFE_TOKEN`. `FERNET_KEY` takes none.
   *
   * @default 32, for a format that takes a length
   */
  readonly length?: number;
}

/**
 * Where a component's credentials come from.
 *
 * - `SecretSource.fromSecret(secret)`: a Secret that exists already (created by hand, by External Secrets, by
 *   Sealed Secrets, ...). The manifests only reference it.
 * - `SecretSource.generated()`: a Secret generated inside the cluster. The manifests hold an empty Secret and a Job
 *   that fills in each missing value with a random one (letters and digits, or another `SecretValueFormat`); it never
 *   overwrites a value that exists, so re-applying or re-running it is safe and no secret value ever appears in the
 *   manifests.
 */
export abstract class SecretSource {
  /** Credentials from an existing Secret. */
  public static fromSecret(secret: kplus.ISecret, options: CredentialsOptions = {}): SecretSource {
    checkKplusObject('SecretSource.fromSecret', 'secret', secret);
    return new ExistingSecretSource(secret, options);
  }

  /** Credentials generated inside the cluster by an idempotent Job. */
  public static generated(options: GeneratedSecretOptions = {}): SecretSource {
    checkProps('SecretSource.generated', options, {}, { format: anInstanceOf(SecretValueFormat, 'SecretValueFormat.FERNET_KEY'), length: aNumber('32') }, 'options');
    return new GeneratedSecretSource(options ?? {});
  }

  /** Whether the values are generated inside the cluster (a production profile may refuse that). */
  public abstract readonly isGenerated: boolean;

  /**
   * The form of the generated values.
   *
   * @default - none: the values come from an existing Secret
   */
  public abstract readonly format?: SecretValueFormat;

  /**
   * Provides the credentials a component asked for: for a generated source, creates the Secret and its Job under
   * `scope/id`; for an existing one, only refers to it.
   */
  public abstract bind(scope: Construct, id: string, request: SecretRequest): Credentials;
}

class ExistingSecretSource extends SecretSource {
  public readonly isGenerated = false;
  public readonly format = undefined;

  constructor(private readonly secret: kplus.ISecret, private readonly options: CredentialsOptions) {
    super();
  }

  public bind(_scope: Construct, _id: string, request: SecretRequest): Credentials {
    // A non-secret value the component fixes (a user name) is used as it is unless the Secret is said to hold it.
    const keys = this.options.keys ?? {};
    const fixed = Object.entries(request.values ?? {}).filter(([name]) => keys[name] === undefined);
    return Credentials.fromSecret(this.secret, {
      keys,
      values: { ...Object.fromEntries(fixed), ...this.options.values },
    });
  }
}

class GeneratedSecretSource extends SecretSource {
  public readonly isGenerated = true;
  public readonly format: SecretValueFormat;

  constructor(private readonly options: GeneratedSecretOptions) {
    super();
    this.format = options.format ?? SecretValueFormat.ALPHANUMERIC;
  }

  public bind(scope: Construct, id: string, request: SecretRequest): Credentials {
    const generated = new GeneratedSecret(scope, id, {
      secretValues: request.secretValues,
      values: request.values ?? {},
      format: this.format,
      length: this.options.length,
    });
    return Credentials.fromSecret(generated.secret);
  }
}
