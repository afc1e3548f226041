import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LokiLogStore } from './loki-log-store';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { A_SECRET_SOURCE, aUrl } from '../core/prop-kinds';
import { anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';

/** An Elasticsearch cluster the logs are indexed in. */
export interface ElasticsearchLogOutputOptions {
  /** The cluster's URL, e.g. `https://elasticsearch.logging.svc:9200`. */
  readonly endpoint: string;

  /**
   * The index (or data stream) the lines go to.
   *
   * @default 'mlops-logs'
   */
  readonly index?: string;

  /**
   * A user allowed to write the index (`Credentials.USERNAME`, `Credentials.PASSWORD`), from an existing Secret in the
   * shipper's namespace.
   *
   * @default - no authentication
   */
  readonly credentials?: SecretSource;
}

/** Where a `NodeLogShipper` sends the log lines. */
export abstract class LogOutput {
  /** A `LokiLogStore` of this app, over Loki's OTLP endpoint (`/otlp`); the store lets the shipper in. */
  public static loki(store: LokiLogStore): LogOutput {
    checkArgument('LogOutput.loki', 'store', store, anInstanceOf(LokiLogStore, "new LokiLogStore(this, 'Logs')"));
    return new LokiOutput(store);
  }

  /**
   * An Elasticsearch cluster (the ELK stack), through the collector's `elasticsearch` exporter; the cluster's own
   * network rules must let the shipper's pods in.
   */
  public static elasticsearch(options: ElasticsearchLogOutputOptions): LogOutput {
    checkProps('LogOutput.elasticsearch', options, {
      endpoint: aUrl({ schemes: ['http', 'https'], example: 'https://elasticsearch.logging.svc:9200' }),
    }, { index: aString("'mlops-logs'"), credentials: A_SECRET_SOURCE }, 'options');
    if (new URL(options.endpoint).pathname !== '/') {
      throw new MlopsValidationError('LogOutput.elasticsearch', `endpoint '${options.endpoint}' is invalid: give the cluster's URL without a path, `
        + "e.g. 'https://elasticsearch.logging.svc:9200'");
    }
    const index = options.index ?? 'mlops-logs';
    if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) {
      throw new MlopsValidationError('LogOutput.elasticsearch', `index '${index}' is invalid: Elasticsearch index names are lowercase letters, digits, `
        + "'.', '_' or '-', not starting with '.', '_' or '-'; e.g. 'mlops-logs'");
    }
    if (options.credentials?.isGenerated) {
      throw new MlopsValidationError('LogOutput.elasticsearch', 'credentials is invalid: a generated password is unknown to Elasticsearch; give '
        + 'the Secret of a user it has, e.g. SecretSource.fromSecret(kplus.Secret.fromSecretName(this, "Es", "es-writer"))');
    }
    return new ElasticsearchOutput(options.endpoint.replace(/\/$/, ''), index, options.credentials);
  }

  /** @internal The collector's exporters, by name. */
  public abstract _exporters(): { [name: string]: any };

  /** @internal The env vars the exporters read, from Secrets bound under `scope`. */
  public abstract _env(scope: Construct): { [name: string]: kplus.EnvValue };

  /** @internal Lets the shipper's pods reach the output, where the output is in this app. */
  public abstract _allowFrom(shipper: kplus.INetworkPolicyPeer): void;
}

class LokiOutput extends LogOutput {
  constructor(private readonly store: LokiLogStore) {
    super();
  }

  public _exporters(): { [name: string]: any } {
    // Loki 3's native OTLP ingestion; the exporter appends /v1/logs.
    return { 'otlp_http/loki': { endpoint: this.store.endpoint.url('/otlp') } };
  }

  public _env(): { [name: string]: kplus.EnvValue } {
    return {};
  }

  public _allowFrom(shipper: kplus.INetworkPolicyPeer): void {
    this.store.allowFrom(shipper);
  }
}

class ElasticsearchOutput extends LogOutput {
  constructor(private readonly endpoint: string, private readonly index: string, private readonly source?: SecretSource) {
    super();
  }

  public _exporters(): { [name: string]: any } {
    return {
      elasticsearch: {
        endpoints: [this.endpoint],
        logs_index: this.index,
        ...(this.source ? { user: '${env:ES_USERNAME}', password: '${env:ES_PASSWORD}' } : {}),
      },
    };
  }

  public _env(scope: Construct): { [name: string]: kplus.EnvValue } {
    if (!this.source) {
      return {};
    }
    const credentials = this.source.bind(scope, 'ElasticsearchCredentials', { secretValues: [Credentials.USERNAME, Credentials.PASSWORD] });
    return { ES_USERNAME: credentials.envValue(Credentials.USERNAME), ES_PASSWORD: credentials.envValue(Credentials.PASSWORD) };
  }

  public _allowFrom(): void {
    // The cluster is outside this app: its own rules admit the shipper.
  }
}
