import * as kplus from 'cdk8s-plus-28';
import { checkKplusObject } from './kplus-compat';

/** How the names a component asks for map onto an existing Secret. */
export interface CredentialsOptions {
  /**
   * The Secret key that holds each value, by the name the component uses (`username`, `password`, ...).
   *
   * @default - each value is read from the key of the same name
   */
  readonly keys?: { [name: string]: string };

  /**
   * Values that are not secret and are given as they are, e.g. a fixed user name.
   * A value named here is never read from the Secret.
   *
   * @default - every value comes from the Secret
   */
  readonly values?: { [name: string]: string };
}

/**
 * A set of named values held in a Secret (a user name and a password, an access key pair), handed to containers as
 * env vars that reference the Secret, so that no value ever appears in a manifest.
 *
 * Names used across the library: `Credentials.USERNAME` and `Credentials.PASSWORD`. For object-store access, the
 * user name is the access key id and the password is the secret access key.
 */
export class Credentials {
  /** The name of the user-name value (for S3: the access key id). */
  public static readonly USERNAME = 'username';
  /** The name of the password value (for S3: the secret access key). */
  public static readonly PASSWORD = 'password';

  /** Credentials read from a Secret, optionally with other key names and some literal values. */
  public static fromSecret(secret: kplus.ISecret, options: CredentialsOptions = {}): Credentials {
    checkKplusObject('Credentials.fromSecret', 'secret', secret);
    return new Credentials(secret, options.keys ?? {}, options.values ?? {});
  }

  private constructor(
    /** The Secret the values are read from. */
    public readonly secret: kplus.ISecret,
    private readonly keys: { [name: string]: string },
    private readonly values: { [name: string]: string },
  ) {}

  /** The Secret key that holds the value `name`. */
  public secretKey(name: string): string {
    return this.keys[name] ?? name;
  }

  /** An env var value for `name`: a reference to the Secret key, or the literal when `name` is not secret. */
  public envValue(name: string): kplus.EnvValue {
    const literal = this.values[name];
    if (literal !== undefined) {
      return kplus.EnvValue.fromValue(literal);
    }
    return kplus.EnvValue.fromSecretValue({ secret: this.secret, key: this.secretKey(name) });
  }
}
