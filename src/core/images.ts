import * as kplus from 'cdk8s-plus-28';

/**
 * The pinned default images, in one place.
 *
 * Every tag below was checked to exist upstream on the date in `docs/images.md`, which also gives the evidence and
 * the user each image runs as. Each construct takes an `image` prop, so a team can move to a mirror or a newer tag
 * without waiting for a release of this library.
 */
export class DefaultImages {
  /** PostgreSQL (Docker official image, Debian); runs as uid/gid 999 `postgres`. */
  public static readonly POSTGRES = 'docker.io/library/postgres:17.11-bookworm';

  /** MySQL 8.4 LTS (Docker official image, Oracle Linux); runs as uid/gid 999 `mysql`. */
  public static readonly MYSQL = 'docker.io/library/mysql:8.4.11';

  /** Redis 7.2, the last BSD-licensed line (Docker official image, Debian); runs as uid/gid 999 `redis`. */
  public static readonly REDIS = 'docker.io/library/redis:7.2.16-bookworm';

  /**
   * MinIO server: the last community release published as an image. MinIO stopped publishing community images in
   * October 2025 and removed them from Docker Hub in September 2026; quay.io still serves this one.
   */
  public static readonly MINIO = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';

  /** MinIO client `mc`, the last community release published as an image (see `MINIO`). */
  public static readonly MINIO_CLIENT = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';

  /** Python (Docker official image), for the small stdlib-only Jobs that generate secrets inside the cluster. */
  public static readonly PYTHON = 'docker.io/library/python:3.13.15-slim-bookworm';

  /** Apache Airflow 3.1 (the last 3.1.x release); runs as uid 50000, gid 0. */
  public static readonly AIRFLOW = 'docker.io/apache/airflow:3.1.8-python3.12';

  /** git-sync v4 (`GITSYNC_*` variables); runs as uid/gid 65533. */
  public static readonly GIT_SYNC = 'registry.k8s.io/git-sync/git-sync:v4.7.1';

  /** Prometheus statsd exporter, for Airflow's metrics; runs as uid/gid 65534. */
  public static readonly STATSD_EXPORTER = 'quay.io/prometheus/statsd-exporter:v0.28.0';

  /**
   * MLflow 3, the `-full` variant: the plain image lacks the database drivers (psycopg2, pymysql) and boto3 that a
   * SQL backend store and S3 artifacts need. Runs as root by default; the constructs set a non-root user.
   */
  public static readonly MLFLOW = 'ghcr.io/mlflow/mlflow:v3.17.0-full';

  /** Prometheus 3, run by the prometheus-operator for a `Prometheus` resource; runs as uid/gid 65534 `nobody`. */
  public static readonly PROMETHEUS = 'quay.io/prometheus/prometheus:v3.13.2';

  /** Alertmanager, run by the prometheus-operator for an `Alertmanager` resource; runs as uid/gid 65534 `nobody`. */
  public static readonly ALERTMANAGER = 'quay.io/prometheus/alertmanager:v0.33.1';

  /** OpenTelemetry Collector, the contrib distribution (`/otelcol-contrib`); runs as uid 10001. */
  public static readonly OTEL_COLLECTOR = 'docker.io/otel/opentelemetry-collector-contrib:0.160.0';

  /** Jaeger v2 (one binary: OTLP in, Badger storage, query API and UI); runs as uid 10001. */
  public static readonly JAEGER = 'docker.io/jaegertracing/jaeger:2.20.0';

  /** Loki 3.7, single binary, for the logs the `NodeLogShipper` ships; runs as uid/gid 10001 `loki`. */
  public static readonly LOKI = 'docker.io/grafana/loki:3.7.6';

  /**
   * Grafana 12.4, the last 12.x minor (security fixes until May 2027), which provisions the dashboards' classic JSON
   * model from files as it is; runs as uid 472.
   */
  public static readonly GRAFANA = 'docker.io/grafana/grafana:12.4.5';

  /** Prometheus exporter for PostgreSQL, the `metrics` sidecar of `Postgres`; runs as uid/gid 65534 `nobody`. */
  public static readonly POSTGRES_EXPORTER = 'quay.io/prometheuscommunity/postgres-exporter:v0.20.1';

  /** Prometheus exporter for MySQL, the `metrics` sidecar of `Mysql`; runs as uid/gid 65534 `nobody`. */
  public static readonly MYSQLD_EXPORTER = 'quay.io/prometheus/mysqld-exporter:v0.18.0';

  /** Prometheus exporter for Redis, the `metrics` sidecar of `Redis`; runs as uid/gid 59000. */
  public static readonly REDIS_EXPORTER = 'docker.io/oliver006/redis_exporter:v1.91.1';

  /**
   * Apache Kafka 4.3 (the project's official JVM image, KRaft only), the single broker of `Kafka`; runs as uid/gid
   * 1000 `appuser`.
   */
  public static readonly KAFKA = 'docker.io/apache/kafka:4.3.1';

  /**
   * Apache Spark 4.0 (Scala 2.13, Java 17, Python 3), the image spark-operator v2.5.2 is built on; runs as uid/gid 185
   * `spark`. It has no `hadoop-aws` jar or AWS SDK: S3A needs an image built from it with both.
   */
  public static readonly SPARK = 'docker.io/apache/spark:4.0.4';

  /**
   * JupyterLab with the scientific Python stack (Jupyter Docker Stacks `scipy-notebook`, Python 3.13), the image of
   * `NotebookWorkspace`; runs as uid 1000 `jovyan`, gid 100 `users`. The stacks are published only on quay.io.
   */
  public static readonly JUPYTER = 'quay.io/jupyter/scipy-notebook:2026-10-05';

  /**
   * NGINX stable (unprivileged build, Alpine slim), the authenticating TLS proxy in front of a serving cluster's
   * `/federate`; runs as uid/gid 101 `nginx`.
   */
  public static readonly NGINX_UNPRIVILEGED = 'docker.io/nginxinc/nginx-unprivileged:1.30.4-alpine-slim';

  /** Seldon Core v2.6.0 scheduler, a component of `SeldonOperatorConfig`'s SeldonConfig; run as uid/gid 1000. */
  public static readonly SELDON_SCHEDULER = 'docker.io/seldonio/seldon-scheduler:2.6.0';

  /** Seldon Core v2.6.0 Envoy (the `seldon-mesh` Service's pods); run as uid/gid 1000. */
  public static readonly SELDON_ENVOY = 'docker.io/seldonio/seldon-envoy:2.6.0';

  /** Seldon Core v2.6.0 model gateway (Kafka to models); run as uid/gid 1000. */
  public static readonly SELDON_MODEL_GATEWAY = 'docker.io/seldonio/seldon-modelgateway:2.6.0';

  /** Seldon Core v2.6.0 pipeline gateway (requests to pipelines over Kafka); run as uid/gid 1000. */
  public static readonly SELDON_PIPELINE_GATEWAY = 'docker.io/seldonio/seldon-pipelinegateway:2.6.0';

  /** Seldon Core v2.6.0 dataflow engine (Kafka Streams, Java 17); run as uid/gid 1000. */
  public static readonly SELDON_DATAFLOW_ENGINE = 'docker.io/seldonio/seldon-dataflow-engine:2.6.0';

  /** Seldon Core v2.6.0 agent, beside every Seldon server; run as uid/gid 1000. */
  public static readonly SELDON_AGENT = 'docker.io/seldonio/seldon-agent:2.6.0';

  /** Seldon Core v2.6.0 rclone (model downloads), beside every Seldon server; runs as uid 1000. */
  public static readonly SELDON_RCLONE = 'docker.io/seldonio/seldon-rclone:2.6.0';

  /**
   * MLServer as the v2.6.0 ServerConfig `mlserver` pins it: too old for most current models, so a `SeldonServer`
   * usually gets an `image` of its own.
   */
  public static readonly SELDON_MLSERVER = 'docker.io/seldonio/mlserver:1.3.5';

  /** NVIDIA Triton as the v2.6.0 ServerConfig `triton` pins it. */
  public static readonly SELDON_TRITON = 'nvcr.io/nvidia/tritonserver:23.03-py3';

  private constructor() {}
}

/**
 * `IfNotPresent` for a pinned image (a tag other than `latest`, or a digest): the node pulls it once, so a pod start
 * needs no registry round-trip and survives a registry or mirror that is briefly down. `Always` for `latest` or no tag,
 * which may move.
 */
export function imagePullPolicy(image: string): kplus.ImagePullPolicy {
  const [name, digest] = image.split('@');
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return digest !== undefined || (tag !== undefined && tag !== 'latest') ? kplus.ImagePullPolicy.IF_NOT_PRESENT : kplus.ImagePullPolicy.ALWAYS;
}
