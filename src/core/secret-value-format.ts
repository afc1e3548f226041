/** The form of the random values of a generated Secret. */
export class SecretValueFormat {
  /** `length` letters and digits [A-Za-z0-9]: safe in URIs, shells and INI files. */
  public static readonly ALPHANUMERIC = new SecretValueFormat('ALPHANUMERIC', true);

  /**
   * A Fernet key: 32 random bytes in url-safe base64 (44 characters), the only form Fernet accepts (Airflow's
   * `AIRFLOW__CORE__FERNET_KEY`). Its size is fixed: it takes no `length`.
   */
  public static readonly FERNET_KEY = new SecretValueFormat('FERNET_KEY', false);

  /**
   * `length` random bytes in url-safe base64 without padding (Python's `secrets.token_urlsafe(length)`, about 1.3
   * characters per byte): signing keys such as Airflow's API secret key and JWT secret.
   */
  public static readonly URL_SAFE_TOKEN = new SecretValueFormat('URL_SAFE_TOKEN', true);

  private constructor(
    /** The name of the format, e.g. `FERNET_KEY`. */
    public readonly name: string,
    /** Whether `GeneratedSecretOptions.length` sets the size of a value. */
    public readonly hasLength: boolean,
  ) {}
}
