import { spawnSync } from 'node:child_process';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, DefaultImages, MinioBucket, MlflowTracking, Mysql, Postgres, SecretSource, ServiceEndpoint } from '../../src';
import { GitSyncAirflow, DagSource } from '../../src/orchestration';
import { container, envOf, expandEnvLikeKubelet, generatedSecretSpec, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';
import { airflow, COMPONENTS, componentEnv, deployment, fixture, PUBLIC_REPO, synthValidWithTaskPod, taskPod } from './fixtures';
import { HAS_PYTHON } from '../fake-kubernetes-api';
import { SPECIAL_PASSWORD } from '../real-servers';

const SERVICE = 'test-airflow-service-c8c46a4b.mlops.svc';

/** What Airflow reads from a `_CMD` setting: the command split as `shlex.split` does, run with `env`. */
function runConfigCommand(command: string, env: Record<string, string>): string {
  const result = spawnSync('python3', ['-c', 'import shlex, subprocess, sys; sys.stdout.write(subprocess.check_output(shlex.split(sys.argv[1])).decode())', command],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  if (result.status !== 0) throw new Error(`the command failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe('GitSyncAirflow', () => {
  test('the default passes the validation harness, task pod included', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    synthValidWithTaskPod(f.chart);
  });

  test('the default synthesizes as before (with an external database and bucket, so that only its own objects are in it)', () => {
    // GIVEN
    const chart = testChart('mlops');
    const secret = kplus.Secret.fromSecretName(chart, 'Credentials', 'airflow-credentials');
    const credentials = Credentials.fromSecret(secret);
    // WHEN
    new GitSyncAirflow(chart, 'Airflow', {
      database: Postgres.fromDatabaseAttributes(chart, 'Database', { host: 'pg.example.internal', databaseName: 'airflow', credentials }),
      dags: DagSource.fromGit({ repository: PUBLIC_REPO }),
      logBucket: MinioBucket.fromBucketAttributes(chart, 'Logs', {
        bucketName: 'airflow-logs', endpoint: ServiceEndpoint.fromHost('s3.example.internal', 9000), credentials,
      }),
    });
    // THEN
    const { manifests } = synthValidWithTaskPod(chart, [{ kind: 'Secret', name: 'airflow-credentials', keys: ['username', 'password'] }]);
    expect(manifests).toMatchSnapshot();
  });

  test('runs api-server, scheduler, dag-processor and triggerer as uid 50000 gid 0 with $AIRFLOW_HOME and /tmp as emptyDirs', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    const names = { apiserver: 'api-server', scheduler: 'scheduler', dagprocessor: 'dag-processor', triggerer: 'triggerer' };
    for (const [component, name] of Object.entries(names)) {
      const workload = deployment(manifests, component);
      const main = container(workload, name);
      expect(main.image).toBe(DefaultImages.AIRFLOW);
      expect(main.args).toEqual([name]);
      expect(main.command).toBeUndefined(); // the image's entrypoint runs `airflow <args>`
      expect(main.securityContext).toMatchObject({ runAsUser: 50000, runAsGroup: 0, readOnlyRootFilesystem: true });
      expect(podSpec(workload).securityContext).toMatchObject({ runAsUser: 50000, runAsGroup: 0, fsGroup: 0 });
      expect(main.volumeMounts.slice(0, 2)).toEqual([
        { mountPath: '/opt/airflow', name: 'airflow-home' },
        { mountPath: '/tmp', name: 'tmp' },
      ]);
      expect(podSpec(workload).volumes).toEqual(expect.arrayContaining([{ name: 'airflow-home', emptyDir: {} }, { name: 'tmp', emptyDir: {} }]));
      expect(main.readinessProbe).toBeDefined();
      expect(main.livenessProbe).toBeDefined();
      expect(main.startupProbe).toBeDefined();
    }
    const apiServer = container(deployment(manifests, 'apiserver'), 'api-server');
    expect(apiServer.ports).toEqual([{ name: 'api', containerPort: 8080 }]);
    expect(apiServer.readinessProbe.httpGet).toEqual({ path: '/api/v2/monitor/health', port: 8080, scheme: 'HTTP' });
    expect(apiServer.resources).toEqual({ requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2048Mi' } });
    const scheduler = container(deployment(manifests, 'scheduler'), 'scheduler');
    expect(scheduler.livenessProbe.httpGet).toEqual({ path: '/health', port: 8974, scheme: 'HTTP' });
    expect(container(deployment(manifests, 'dagprocessor'), 'dag-processor').livenessProbe.exec.command)
      .toEqual(['airflow', 'jobs', 'check', '--job-type', 'DagProcessorJob', '--local']);
    expect(container(deployment(manifests, 'triggerer'), 'triggerer').livenessProbe.exec.command)
      .toEqual(['airflow', 'jobs', 'check', '--job-type', 'TriggererJob', '--local']);
  });

  test('components run the KubernetesExecutor with the FAB auth manager and the metadata database from secret-backed env', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    const dbSecret = objectNamed(manifests, 'Secret', 'postgres-database-airflow-credentials').metadata.name;
    for (const [component, name] of [['scheduler', 'scheduler'], ['apiserver', 'api-server']]) {
      const main = container(deployment(manifests, component), name);
      const env = envOf(main);
      expect(env.AIRFLOW__CORE__EXECUTOR).toEqual({ value: 'KubernetesExecutor' });
      expect(env.AIRFLOW__CORE__AUTH_MANAGER).toEqual({ value: 'airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager' });
      expect(env.AIRFLOW__CORE__LOAD_EXAMPLES).toEqual({ value: 'False' });
      expect(env.AIRFLOW_DB_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: dbSecret, key: 'password' } } });
      expect(env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).toBeUndefined();
      expect(runConfigCommand(env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value, { AIRFLOW_DB_USER: 'airflow', AIRFLOW_DB_PASSWORD: 'secret' }))
        .toBe('postgresql+psycopg2://airflow:secret@test-postgres-service-c83da4f3.mlops.svc:5432/airflow');
      expect(env.AIRFLOW__CORE__EXECUTION_API_SERVER_URL).toEqual({ value: `http://${SERVICE}:8080/execution/` });
      expect(env.AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE).toEqual({ valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    }
    // Task pods run one task each and report to the api-server's Execution API.
    const task = envOf(taskPod(manifests).spec.containers[0]);
    expect(task.AIRFLOW__CORE__EXECUTOR).toEqual({ value: 'LocalExecutor' });
    expect(task.AIRFLOW__CORE__EXECUTION_API_SERVER_URL).toEqual({ value: `http://${SERVICE}:8080/execution/` });
    const scheduler = componentEnv(manifests, 'scheduler', 'scheduler');
    expect(scheduler.AIRFLOW__KUBERNETES_EXECUTOR__POD_TEMPLATE_FILE).toEqual({ value: '/opt/airflow/pod-templates/pod_template_file.yaml' });
    expect(scheduler.AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK).toEqual({ value: 'True' });
  });

  test('airflow db migrate runs in a hash-named Job, and every component waits for it in an init container', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    const job = objectNamed(manifests, 'Job', 'airflow-migrate');
    expect(job.metadata.name).toMatch(/^test-airflow-migrate-[0-9a-f]{10}$/);
    expect(job.metadata.annotations).toBeUndefined(); // no Helm hook
    const migrate = container(job, 'migrate');
    expect(migrate.command.slice(0, 2)).toEqual(['bash', '-c']);
    const lines = migrate.command[2].split('\n');
    expect(lines[0]).toBe('set -eu');
    expect(lines).toContain('until airflow db check; do');
    expect(lines.slice(-2)).toEqual(['airflow db migrate', 'airflow fab-db migrate']);
    expect(envOf(migrate).AIRFLOW__CORE__FERNET_KEY).toBeDefined();
    for (const component of COMPONENTS) {
      const wait = container(deployment(manifests, component), 'wait-for-migrations');
      expect(podSpec(deployment(manifests, component)).initContainers[0].name).toBe('wait-for-migrations');
      expect(wait.command[2]).toContain('until airflow db check-migrations --migration-wait-timeout=60; do');
      expect(envOf(wait).AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD).toBeDefined();
    }
  });

  test('the scheduler may launch and watch pods; task pods get a ServiceAccount without API rights', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    const role = objectNamed(manifests, 'Role', 'airflow-podlauncher');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'list', 'get', 'patch', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list'] },
    ]);
    const binding = objectNamed(manifests, 'RoleBinding', 'airflow-podlauncherbinding');
    const schedulerSpec = podSpec(deployment(manifests, 'scheduler'));
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: schedulerSpec.serviceAccountName, namespace: 'mlops', apiGroup: '' }]);
    expect(schedulerSpec.automountServiceAccountToken).toBe(true);

    const taskAccount = objectNamed(manifests, 'ServiceAccount', 'airflow-taskserviceaccount');
    expect(taskAccount.automountServiceAccountToken).toBe(false);
    const pod = taskPod(manifests);
    expect(pod.spec.serviceAccountName).toBe(taskAccount.metadata.name);
    // The ServiceAccount decides (no token without rights), so that a task selecting another one with pod_override gets its token.
    expect(pod.spec.automountServiceAccountToken).toBeUndefined();
    const bound = objectsOfKind(manifests, 'RoleBinding').flatMap((b) => b.subjects.map((s: any) => s.name));
    expect(bound).not.toContain(taskAccount.metadata.name);
    for (const component of ['dagprocessor', 'triggerer']) {
      expect(podSpec(deployment(manifests, component)).automountServiceAccountToken).toBe(false);
    }
  });

  test('the fernet key, API secret key and JWT secret come from generated Secrets: a Fernet key and url-safe tokens', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = synthValid(f.chart);
    const env = componentEnv(manifests, 'apiserver', 'api-server');
    const keys: Array<[string, string, object]> = [
      ['fernet-key', 'AIRFLOW__CORE__FERNET_KEY', { format: 'FERNET_KEY' }],
      ['api-secret-key', 'AIRFLOW__API__SECRET_KEY', { format: 'URL_SAFE_TOKEN', length: 32 }],
      ['jwt-secret', 'AIRFLOW__API_AUTH__JWT_SECRET', { format: 'URL_SAFE_TOKEN', length: 32 }],
    ];
    const role = objectNamed(manifests, 'Role', 'mlopssecretgenerator');
    for (const [key, name, format] of keys) {
      const secret = objectNamed(manifests, 'Secret', `airflow-secretkeys-${key}`);
      expect(secret.metadata.annotations).toEqual({ 'mlops.cdk8s.io/generated-keys': key });
      expect(secret.data).toBeUndefined();
      expect(env[name]).toEqual({ valueFrom: { secretKeyRef: { name: secret.metadata.name, key } } });
      expect(generatedSecretSpec(manifests, `airflow-secretkeys-${key}`)).toEqual({ secretValues: [key], values: {}, ...format });
      expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: [secret.metadata.name], verbs: ['get', 'patch'] });
    }
    // Task pods talk to the Execution API, not the database's encrypted fields: they get none of the keys.
    expect(Object.keys(envOf(taskPod(manifests).spec.containers[0]))).not.toContain('AIRFLOW__CORE__FERNET_KEY');
  });

  test('keys from existing Secrets are used as they are, and only the others are generated', () => {
    // GIVEN
    const f = fixture();
    const keys = kplus.Secret.fromSecretName(f.chart, 'Keys', 'airflow-keys');
    // WHEN
    airflow(f, { fernetKey: SecretSource.fromSecret(keys), jwtSecret: SecretSource.fromSecret(keys, { keys: { 'jwt-secret': 'jwt' } }) });
    // THEN
    const manifests = synthValid(f.chart, [{ kind: 'Secret', name: 'airflow-keys', keys: ['fernet-key', 'jwt'] }]);
    const env = componentEnv(manifests, 'scheduler', 'scheduler');
    expect(env.AIRFLOW__CORE__FERNET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'airflow-keys', key: 'fernet-key' } } });
    expect(env.AIRFLOW__API_AUTH__JWT_SECRET).toEqual({ valueFrom: { secretKeyRef: { name: 'airflow-keys', key: 'jwt' } } });
    const generated = objectNamed(manifests, 'Secret', 'airflow-secretkeys');
    expect(generated.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('api-secret-key');
    expect(env.AIRFLOW__API__SECRET_KEY.valueFrom.secretKeyRef.name).toBe(generated.metadata.name);
  });

  test('the first admin is created by a Job with the password from a generated Secret: no password in the YAML', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const af = airflow(f, { adminUsername: 'platform-admin' });
    // THEN
    const manifests = Testing.synth(f.chart);
    const secret = objectNamed(manifests, 'Secret', 'airflow-admincredentials');
    expect(secret.metadata.annotations).toEqual({ 'mlops.cdk8s.io/generated-keys': 'password,username' });
    expect(af.adminCredentials.secretKey(Credentials.PASSWORD)).toBe('password');
    const job = objectNamed(manifests, 'Job', 'airflow-createadmin');
    const create = container(job, 'create-admin');
    const env = envOf(create);
    expect(env.ADMIN_USERNAME).toEqual({ valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'username' } } });
    expect(env.ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'password' } } });
    expect(env.ADMIN_EMAIL).toEqual({ value: 'admin@example.com' });
    const script: string = create.command[2];
    expect(script).toContain('airflow users create --role Admin --username "$ADMIN_USERNAME" --email "$ADMIN_EMAIL" --firstname Admin --lastname User --password "$ADMIN_PASSWORD"');
    expect(script.split('\n').pop()).toBe('airflow users reset-password --username "$ADMIN_USERNAME" --password "$ADMIN_PASSWORD"');
    expect(script.indexOf('check-migrations')).toBeLessThan(script.indexOf('users create'));
  });

  test('task logs go to the bucket: remote logging with an s3:// folder and a connection carrying the endpoint and the grant', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, { logPrefix: 'airflow/tasks' });
    // THEN
    const manifests = Testing.synth(f.chart);
    const userSecret = objectNamed(manifests, 'Secret', 'minio-user-tes-airflow-airflowpods').metadata.name;
    const task = taskPod(manifests).spec.containers[0];
    for (const main of [task, container(deployment(manifests, 'apiserver'), 'api-server'), container(deployment(manifests, 'triggerer'), 'triggerer')]) {
      const env = envOf(main);
      expect(env.AIRFLOW__LOGGING__REMOTE_LOGGING).toEqual({ value: 'True' });
      expect(env.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER).toEqual({ value: 's3://airflow-logs/airflow/tasks' });
      expect(env.AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID).toEqual({ value: 'airflow_remote_logs' });
      expect(env.CONN_AIRFLOW_REMOTE_LOGS_LOGIN).toEqual({ valueFrom: { secretKeyRef: { name: userSecret, key: 'username' } } });
      expect(JSON.parse(expandEnvLikeKubelet(main).AIRFLOW_CONN_AIRFLOW_REMOTE_LOGS)).toEqual({
        conn_type: 'aws',
        login: `<secret:${userSecret}/username>`,
        password: `<secret:${userSecret}/password>`,
        extra: {
          endpoint_url: 'http://test-minio-service-c83250d4.mlops.svc:9000',
          region_name: 'us-east-1',
          config_kwargs: { s3: { addressing_style: 'path' } },
        },
      });
    }
    // The grant gave Airflow's pods a MinIO user with write access to the bucket, and a way in.
    const grant = container(objectNamed(manifests, 'Job', 'airflow-logs-grant-tes-airflow-airflowpods'), 'mc');
    expect(JSON.parse(envOf(grant).POLICY.value).Statement[1].Action).toContain('s3:PutObject');
    const policy = objectNamed(manifests, 'NetworkPolicy', 'minio-allowfrom-test-airflow-airflowpods');
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'mlops.cdk8s.io/airflow': 'test-Airflow-c8faa370' } } }], ports: [{ port: 9000, protocol: 'TCP' }] }]);
  });

  test('without a log bucket, logs stay local and no MinIO user is made', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, { logBucket: undefined });
    // THEN
    expect(objectsOfKind(Testing.synth(f.chart), 'Job').map((j) => j.metadata.name).join()).not.toContain('grant');
    expect(Object.keys(envOf(taskPod(Testing.synth(f.chart)).spec.containers[0]))).not.toContain('AIRFLOW__LOGGING__REMOTE_LOGGING');
  });

  test('the api-server is a ClusterIP Service on 8080 that task pods reach through a NetworkPolicy selecting the template label', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const af = airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    const service = objectNamed(manifests, 'Service', 'airflow-service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'api', port: 8080, targetPort: 8080 }]);
    expect(af.endpoint.url()).toBe(`http://${SERVICE}:8080`);
    expect(af.executionApiUrl).toBe(`http://${SERVICE}:8080/execution/`);
    const apiServer = deployment(manifests, 'apiserver');
    const policies = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.spec.podSelector.matchLabels['cdk8s.io/metadata.addr'] === apiServer.spec.selector.matchLabels['cdk8s.io/metadata.addr']);
    expect(policies.map((p) => p.spec.ingress)).toEqual([
      [{ from: [{ podSelector: { matchLabels: { 'mlops.cdk8s.io/airflow-task': 'test-Airflow-c8faa370' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    ]);
    expect(taskPod(manifests).metadata.labels['mlops.cdk8s.io/airflow-task']).toBe('test-Airflow-c8faa370');
  });

  test('NodePort: the Service listens on the fixed node port and anyone may reach the api-server', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, { nodePort: 30007 });
    // THEN
    const { manifests } = synthValidWithTaskPod(f.chart);
    const service = objectNamed(manifests, 'Service', 'airflow-service');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'api', port: 8080, targetPort: 8080, nodePort: 30007 }]);
    const froms = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.metadata.name.includes('access')).map((p) => p.spec.ingress[0].from[0]);
    expect(froms).toEqual(expect.arrayContaining([{ ipBlock: { cidr: '0.0.0.0/0' } }, { namespaceSelector: {}, podSelector: {} }]));
  });

  test('Ingress: the base URL carries the path, and so do the Execution API URL and the probes', () => {
    // GIVEN
    const f = fixture();
    const tls = kplus.Secret.fromSecretName(f.chart, 'Tls', 'airflow-tls');
    // WHEN
    airflow(f, { ingress: { host: 'airflow.example.com', path: '/airflow', ingressClassName: 'nginx', tlsSecret: tls } });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'airflow-tls' }]);
    const ingress = objectNamed(manifests, 'Ingress', 'airflow-access-ingress');
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{
        host: 'airflow.example.com',
        http: { paths: [{ path: '/airflow', pathType: 'Prefix', backend: { service: { name: 'test-airflow-service-c8c46a4b', port: { number: 8080 } } } }] },
      }],
      tls: [{ hosts: ['airflow.example.com'], secretName: 'airflow-tls' }],
    });
    const env = componentEnv(manifests, 'apiserver', 'api-server');
    expect(env.AIRFLOW__API__BASE_URL).toEqual({ value: 'https://airflow.example.com/airflow' });
    expect(envOf(pod.spec.containers[0]).AIRFLOW__CORE__EXECUTION_API_SERVER_URL).toEqual({ value: `http://${SERVICE}:8080/airflow/execution/` });
    expect(container(deployment(manifests, 'apiserver'), 'api-server').readinessProbe.httpGet.path).toBe('/airflow/api/v2/monitor/health');
  });

  test('an external PostgreSQL database passes the harness; its Secret is declared external', () => {
    // GIVEN
    const f = fixture();
    const secret = kplus.Secret.fromSecretName(f.chart, 'DbSecret', 'airflow-db');
    const database = Postgres.fromDatabaseAttributes(f.chart, 'ExternalDb', {
      host: 'pg.example.internal', databaseName: 'airflow', credentials: Credentials.fromSecret(secret),
    });
    // WHEN
    airflow(f, { database });
    // THEN
    const { pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'airflow-db', keys: ['username', 'password'] }]);
    const command = envOf(pod.spec.containers[0]).AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value;
    expect(runConfigCommand(command, { AIRFLOW_DB_USER: 'airflow', AIRFLOW_DB_PASSWORD: 'secret' }))
      .toBe('postgresql+psycopg2://airflow:secret@pg.example.internal:5432/airflow');
  });

  (HAS_PYTHON ? test : test.skip)('any password from a user\'s Secret works: the URI is built in the pod, percent-encoded', () => {
    // GIVEN a password with every character that breaks a URI built by $(VAR) expansion
    const f = fixture();
    airflow(f);
    const command = componentEnv(Testing.synth(f.chart), 'scheduler', 'scheduler').AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value;
    // WHEN Airflow runs the _CMD setting
    const uri = runConfigCommand(command, { AIRFLOW_DB_USER: 'air flow', AIRFLOW_DB_PASSWORD: SPECIAL_PASSWORD });
    // THEN a URI parser gets the user and password back
    const parsed = spawnSync('python3', ['-c', 'import sys, urllib.parse as p; u = p.urlsplit(sys.argv[1]); print(p.unquote(u.username)); print(p.unquote(u.password)); print(u.hostname)', uri],
      { encoding: 'utf8' }).stdout.split('\n');
    expect(parsed.slice(0, 3)).toEqual(['air flow', SPECIAL_PASSWORD, expect.stringMatching(/^test-postgres-service-[0-9a-f]{8}\.mlops\.svc$/)]);
  });

  test('a MySQL database gets the mysqlclient driver in the URI', () => {
    // GIVEN
    const f = fixture();
    const database = new Mysql(f.chart, 'Mysql').addDatabase('airflow');
    // WHEN
    airflow(f, { database });
    // THEN
    const command = envOf(container(deployment(Testing.synth(f.chart), 'scheduler'), 'scheduler')).AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value;
    expect(runConfigCommand(command, { AIRFLOW_DB_USER: 'u', AIRFLOW_DB_PASSWORD: 'p' })).toMatch(/^mysql\+mysqldb:\/\/u:p@test-mysql-service-[0-9a-f]{8}\.mlops\.svc:3306\/airflow$/);
  });

  test('metrics: Airflow sends statsd over UDP to the exporter, which is a scrape target', () => {
    // GIVEN
    const f = fixture();
    const af = airflow(f);
    // WHEN
    af.allowScrapeFrom(kplus.Pods.select(f.chart, 'Prometheus', { labels: { app: 'prometheus' } }));
    // THEN
    const manifests = synthValid(f.chart);
    const exporter = objectNamed(manifests, 'Deployment', 'airflow-statsdexporter');
    expect(container(exporter, 'statsd-exporter').args).toEqual([
      '--statsd.mapping-config=/etc/statsd-exporter/mappings.yml', '--statsd.listen-udp=:9125', '--web.listen-address=:9102',
    ]);
    const service = objectNamed(manifests, 'Service', 'airflow-statsdexporter-service');
    expect(af.scrapeTargets).toEqual([{
      name: 'airflow',
      discovery: 'service',
      namespace: 'mlops',
      selector: service.metadata.labels,
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }]);
    const env = envOf(taskPod(manifests).spec.containers[0]);
    expect(env.AIRFLOW__METRICS__STATSD_HOST).toEqual({ value: `${service.metadata.name}.mlops.svc` });
    expect(env.AIRFLOW__METRICS__STATSD_PORT).toEqual({ value: '9125' });
    const ingress = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.metadata.name.includes('statsdexporter')).map((p) => p.spec.ingress[0]);
    expect(ingress).toEqual(expect.arrayContaining([
      { from: [{ podSelector: { matchLabels: { 'mlops.cdk8s.io/airflow': 'test-Airflow-c8faa370' } } }], ports: [{ port: 9125, protocol: 'UDP' }] },
      { from: [{ podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ port: 9102, protocol: 'TCP' }] },
    ]));
  });

  test('apiServerReplicas runs that many api-server pods behind the Service; the other components keep one', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, { apiServerReplicas: 3 });
    // THEN
    const { manifests } = synthValidWithTaskPod(f.chart);
    expect(deployment(manifests, 'apiserver').spec.replicas).toBe(3);
    for (const component of ['scheduler', 'dagprocessor', 'triggerer']) {
      expect(deployment(manifests, component).spec.replicas).toBe(1);
    }
    const byDefault = fixture();
    airflow(byDefault);
    expect(deployment(Testing.synth(byDefault.chart), 'apiserver').spec.replicas).toBe(1);
  });

  test('apiServerReplicas that is not a whole number from 1 to 100', () => {
    for (const replicas of [0, 1.5, 101]) {
      expect(() => airflow(fixture(), { apiServerReplicas: replicas })).toThrow(
        `GitSyncAirflow 'test/Airflow': apiServerReplicas '${replicas}' is invalid: must be a whole number from 1 to 100; e.g. 2 for a highly available api-server`);
    }
  });

  test("useMlflowTracking: MLFLOW_TRACKING_URI is MLflow's tracking URI, static prefix included, in the components and the task pods", () => {
    // GIVEN
    const f = fixture();
    const af = airflow(f);
    const mlflow = new MlflowTracking(f.chart, 'Mlflow', {
      database: new Postgres(f.chart, 'MlflowPostgres', { databases: ['mlflow'] }).database('mlflow'),
      artifacts: f.minio.addBucket('mlflow-artifacts'),
      staticPrefix: '/mlflow',
    });
    // WHEN
    af.useMlflowTracking(mlflow);
    mlflow.allowFrom(af.airflowPods);
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const uri = `http://${objectNamed(manifests, 'Service', 'mlflow-service').metadata.name}.mlops.svc:5000/mlflow`;
    expect(mlflow.trackingUri).toBe(uri);
    expect(envOf(pod.spec.containers[0]).MLFLOW_TRACKING_URI).toEqual({ value: uri });
    const mains = { apiserver: 'api-server', scheduler: 'scheduler', dagprocessor: 'dag-processor', triggerer: 'triggerer' };
    for (const [component, name] of Object.entries(mains)) {
      expect(componentEnv(manifests, component, name).MLFLOW_TRACKING_URI).toEqual({ value: uri });
    }
  });

  test('synthesizes the same YAML every time', () => {
    const render = () => {
      const f = fixture();
      airflow(f, { dags: DagSource.fromGit({ repository: PUBLIC_REPO, ref: 'main' }) });
      return JSON.stringify(Testing.synth(f.chart));
    };
    expect(render()).toBe(render());
  });

  test('the image props reach the components, the Jobs and the task pods', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    new GitSyncAirflow(f.chart, 'Airflow', {
      database: f.database,
      dags: DagSource.fromGit({ repository: PUBLIC_REPO }),
      image: 'registry.example.com/airflow:3.1.8',
      workerImage: 'registry.example.com/airflow-ml:3.1.8',
    });
    // THEN
    const manifests = Testing.synth(f.chart);
    expect(container(deployment(manifests, 'scheduler'), 'scheduler').image).toBe('registry.example.com/airflow:3.1.8');
    expect(container(objectNamed(manifests, 'Job', 'airflow-migrate'), 'migrate').image).toBe('registry.example.com/airflow:3.1.8');
    expect(taskPod(manifests).spec.containers[0].image).toBe('registry.example.com/airflow-ml:3.1.8');
  });
});
