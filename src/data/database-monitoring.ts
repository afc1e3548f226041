import { Duration } from 'cdk8s';
import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, MonitoringDashboard, RecordingRuleGroup,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, JOB_LEGEND, recordingRule } from '../core/monitoring-promql';

/**
 * The exporters `Postgres`, `Mysql` and `Redis` run with `metrics: true`: postgres_exporter (`pg_up`, and
 * `pg_stat_database_numbackends{datname}` from `collector/pg_stat_database.go`), mysqld_exporter (`mysql_up`, and
 * `SHOW GLOBAL STATUS` as `mysql_global_status_<name>` from `collector/global_status.go`), redis_exporter (`redis_up`,
 * and `INFO` fields as `redis_<field>`, `used_memory` as `redis_memory_used_bytes`, in `exporter/exporter.go`).
 */
export const DATABASES = {
  postgresUp: 'pg_up',
  postgresBackends: 'pg_stat_database_numbackends',
  mysqlUp: 'mysql_up',
  mysqlThreadsConnected: 'mysql_global_status_threads_connected',
  redisUp: 'redis_up',
  redisConnectedClients: 'redis_connected_clients',
  redisMemoryUsedBytes: 'redis_memory_used_bytes',
} as const;

/** Every raw metric the rules below read. */
export const DATABASE_METRIC_NAMES: readonly string[] = Object.values(DATABASES);

/** The series the rules below record. */
const RECORDED = {
  postgresUp: 'namespace_job:pg_up:min',
  postgresBackends: 'namespace_job:pg_stat_database_numbackends:sum',
  mysqlUp: 'namespace_job:mysql_up:min',
  mysqlThreadsConnected: 'namespace_job:mysql_global_status_threads_connected:sum',
  redisUp: 'namespace_job:redis_up:min',
  redisConnectedClients: 'namespace_job:redis_connected_clients:sum',
  redisMemoryUsedBytes: 'namespace_job:redis_memory_used_bytes:max',
} as const;

/**
 * The database servers, as their exporters see them: one contribution for Postgres, Mysql and Redis, so that one
 * `DatabaseDown` alert and one `Databases` row on the platform dashboard cover every engine that runs.
 */
class DatabaseMonitoring implements IMonitoringContribution {
  public readonly key = 'databases';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const over = (aggregation: string, metric: string) => `${aggregation} by (namespace, job) (${series.raw(metric)})`;
    return [{
      name: MlopsRuleGroups.PLATFORM,
      rules: [
        recordingRule(RECORDED.postgresUp, over('min', DATABASES.postgresUp)),
        recordingRule(RECORDED.postgresBackends, over('sum', DATABASES.postgresBackends)),
        recordingRule(RECORDED.mysqlUp, over('min', DATABASES.mysqlUp)),
        recordingRule(RECORDED.mysqlThreadsConnected, over('sum', DATABASES.mysqlThreadsConnected)),
        recordingRule(RECORDED.redisUp, over('min', DATABASES.redisUp)),
        recordingRule(RECORDED.redisConnectedClients, over('sum', DATABASES.redisConnectedClients)),
        recordingRule(RECORDED.redisMemoryUsedBytes, over('max', DATABASES.redisMemoryUsedBytes)),
      ],
    }];
  }

  public alertRules(series: ISeriesScope): AlertRule[] {
    return [{
      alert: MlopsAlerts.DATABASE_DOWN,
      expr: [RECORDED.postgresUp, RECORDED.mysqlUp, RECORDED.redisUp].map((up) => `${series.recorded(up)} == 0`).join(' or '),
      forDuration: Duration.minutes(5),
      severity: 'critical',
      summary: 'Database {{ $labels.job }} is down',
      description: 'The exporter of {{ $labels.job }} in {{ $labels.namespace }} cannot reach its database server.',
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'Databases',
      panels: [
        dashboardPanel('Server up (exporter view)', 'short', [
          [inPickedClusters(RECORDED.postgresUp), `${JOB_LEGEND} postgres`],
          [inPickedClusters(RECORDED.mysqlUp), `${JOB_LEGEND} mysql`],
          [inPickedClusters(RECORDED.redisUp), `${JOB_LEGEND} redis`],
        ]),
        dashboardPanel('Connections', 'short', [
          [inPickedClusters(RECORDED.postgresBackends), `${JOB_LEGEND} postgres`],
          [inPickedClusters(RECORDED.mysqlThreadsConnected), `${JOB_LEGEND} mysql`],
          [inPickedClusters(RECORDED.redisConnectedClients), `${JOB_LEGEND} redis`],
        ]),
        dashboardPanel('Redis memory', 'bytes', [[inPickedClusters(RECORDED.redisMemoryUsedBytes), JOB_LEGEND]]),
      ],
    }];
  }
}

/** The one contribution of every `Postgres`, `Mysql` and `Redis` (their `monitoring`). */
export const DATABASE_MONITORING: IMonitoringContribution = new DatabaseMonitoring();
