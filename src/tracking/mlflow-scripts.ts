// Python run with the MLflow image's own interpreter. Each reads the connection URI from an env var that Kubernetes
// expands from the database Secret, so no password is in the manifests or in a command line the kubelet builds.

/** Waits (60 attempts, 5 s apart) until the database at `$MLFLOW_BACKEND_STORE_URI` accepts a connection. */
const WAIT_FOR_DATABASE = `
import os, sys, time
import sqlalchemy
from sqlalchemy.pool import NullPool
uri = os.environ["MLFLOW_BACKEND_STORE_URI"]
engine = sqlalchemy.create_engine(uri, poolclass=NullPool)
for attempt in range(1, 61):
    try:
        engine.connect().close()
        break
    except Exception as error:
        print("attempt %d of 60: the database does not answer yet (%s)" % (attempt, type(error).__name__), flush=True)
        time.sleep(5)
else:
    sys.exit("the database did not answer in 5 minutes: check that its pod is ready, that its setup Job created the user, and that no NetworkPolicy blocks this pod")
`.trim();

/** The `mlflow db upgrade` Job: waits for the database, then migrates the schema to the image's head revision. */
export const UPGRADE_SCRIPT = `
${WAIT_FOR_DATABASE}
os.execvp("mlflow", ["mlflow", "db", "upgrade", uri])
`.trim();

/**
 * The server's init container: waits (120 attempts, 5 s apart) until the schema is at the head revision of the
 * image's migrations, i.e. until the `mlflow db upgrade` Job has run. Without it the server would create the tables
 * of an empty database itself, concurrently with the Job.
 */
export const WAIT_FOR_SCHEMA_SCRIPT = `
${WAIT_FOR_DATABASE}
import importlib.util
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
migrations = os.path.join(importlib.util.find_spec("mlflow").submodule_search_locations[0], "store", "db_migrations")
head = ScriptDirectory(migrations).get_current_head()
for attempt in range(1, 121):
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        print("the database schema is at revision %s" % head, flush=True)
        sys.exit(0)
    print("attempt %d of 120: the schema is at revision %s, waiting for %s from the 'mlflow db upgrade' Job" % (attempt, current, head), flush=True)
    time.sleep(5)
sys.exit("the schema did not reach revision %s in 10 minutes: read the logs of the 'mlflow db upgrade' Job" % head)
`.trim();

/**
 * The basic-auth init container: writes the auth config (INI) into an emptyDir from env vars, so that the admin
 * password and the auth database URI never appear in a ConfigMap. `%` is doubled because MLflow reads the file with
 * ConfigParser interpolation.
 */
export const AUTH_CONFIG_SCRIPT = `
import configparser, os
config = configparser.RawConfigParser()
config["mlflow"] = {
    name: os.environ[variable].replace("%", "%%")
    for name, variable in [
        ("default_permission", "AUTH_DEFAULT_PERMISSION"),
        ("database_uri", "MLFLOW_AUTH_DATABASE_URI"),
        ("admin_username", "AUTH_ADMIN_USERNAME"),
        ("admin_password", "AUTH_ADMIN_PASSWORD"),
    ]
}
os.umask(0o077)
with open(os.environ["MLFLOW_AUTH_CONFIG_PATH"], "w") as file:
    config.write(file)
print("wrote %s" % os.environ["MLFLOW_AUTH_CONFIG_PATH"], flush=True)
`.trim();
