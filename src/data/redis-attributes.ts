import { Credentials } from '../core/credentials';

/** A Redis server outside this app, for `Redis.fromRedisAttributes()`. */
export interface RedisAttributes {
  /** The server's DNS name or IP address. */
  readonly host: string;

  /**
   * The server's port.
   *
   * @default 6379
   */
  readonly port?: number;

  /** Where the password is read from (`Credentials.PASSWORD`), e.g. `Credentials.fromSecret(secret)`. */
  readonly credentials: Credentials;
}
