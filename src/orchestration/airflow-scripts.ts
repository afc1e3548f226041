/**
 * Bash lines that run `command` until it succeeds, `attempts` times `pause` seconds apart, then fail with `hint`.
 */
function retry(command: string, what: string, attempts: number, pause: number, hint: string): string {
  return [
    'attempt=1',
    `until ${command}; do`,
    `  if [ "$attempt" -ge ${attempts} ]; then`,
    `    echo "${what} failed ${attempts} times, ${pause}s apart: ${hint}" >&2`,
    '    exit 1',
    '  fi',
    `  echo "${what}: not yet (attempt $attempt of ${attempts})"`,
    '  attempt=$((attempt + 1))',
    `  sleep ${pause}`,
    'done',
  ].join('\n');
}

/**
 * The migrate Job: waits for the database, then applies Airflow's migrations and the FAB auth manager's (whose
 * tables `airflow db migrate` does not create in every 3.1 release). Both commands are idempotent.
 */
export const MIGRATE_SCRIPT = [
  'set -eu',
  retry('airflow db check', 'connecting to the metadata database', 60, 5,
    'check that the database server is ready, that the user can log in and that no NetworkPolicy blocks this Job'),
  'airflow db migrate',
  'airflow fab-db migrate',
].join('\n');

/**
 * The wait-for-migrations init container of every component: it finishes once the database schema is at the
 * version of this image, which the migrate Job (not a Helm hook, so it runs in any apply order) brings it to.
 */
export const WAIT_FOR_MIGRATIONS_SCRIPT = [
  'set -eu',
  retry('airflow db check-migrations --migration-wait-timeout=60', 'waiting for the database migrations', 30, 10,
    'check the logs of the migrate Job (airflow db migrate)'),
].join('\n');

/**
 * The admin Job: creates the first admin in the FAB user database once the migrations are done (`users create` does
 * nothing for a user that exists), then sets the password from the Secret, so that the Secret always wins.
 */
export const CREATE_ADMIN_SCRIPT = [
  'set -eu',
  WAIT_FOR_MIGRATIONS_SCRIPT.replace('set -eu\n', ''),
  retry('airflow users create --role Admin --username "$ADMIN_USERNAME" --email "$ADMIN_EMAIL" --firstname Admin'
    + ' --lastname User --password "$ADMIN_PASSWORD"', 'creating the admin user', 30, 10,
  'check the logs above and that airflow fab-db migrate has run'),
  'airflow users reset-password --username "$ADMIN_USERNAME" --password "$ADMIN_PASSWORD"',
].join('\n');

/**
 * The API user Job: creates a user of `API_ROLE` for a client of the REST API (e.g. `RetrainTrigger`) once the
 * migrations are done (`users create` does nothing for a user that exists), then sets the password from its Secret,
 * so that the Secret always wins.
 */
export const CREATE_API_USER_SCRIPT = [
  'set -eu',
  WAIT_FOR_MIGRATIONS_SCRIPT.replace('set -eu\n', ''),
  retry('airflow users create --role "$API_ROLE" --username "$API_USERNAME" --email "$API_USERNAME@api-users.invalid"'
    + ' --firstname API --lastname Client --password "$API_PASSWORD"', 'creating the API user', 30, 10,
  'check the logs above and that airflow fab-db migrate has run'),
  'airflow users reset-password --username "$API_USERNAME" --password "$API_PASSWORD"',
].join('\n');
