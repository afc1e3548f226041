"""Retrains a drifted model on the platform of examples/full-platform: features with Spark, then distributed training.

- The RetrainTrigger starts a run when the alert ModelDriftRetrain fires, with the alert's labels in dag_run.conf
  (`model`, `cluster`, `namespace`); the DAG must not be paused, so it is created unpaused.
- Both jobs are the templates mounted in every task pod at /opt/airflow/training/<name>/template.yaml. A task submits a
  copy as the ServiceAccount `airflow-trainer` (its pod_override), which may submit training jobs and nothing else.
- The training job logs to MLflow from rank 0 and writes the model to s3://models/<model>/<run>. Serving it is a change
  in Git: point the experiment's candidate at that path and let Argo CD sync.
"""
from __future__ import annotations

import time
from pathlib import Path

import pendulum
import yaml
from airflow.sdk import dag, get_current_context, task
from kubernetes import client, config
from kubernetes.client import models as k8s

NAMESPACE = "mlops"
TEMPLATES = Path("/opt/airflow/training")
AS_TRAINER = {"pod_override": k8s.V1Pod(spec=k8s.V1PodSpec(
    service_account_name="airflow-trainer", containers=[k8s.V1Container(name="base")]))}


def run_template(name: str, group: str, version: str, plural: str, change, finished) -> str:
    """Submits a copy of the template `name`, changed by `change`, and waits until `finished` says how it ended."""
    body = yaml.safe_load((TEMPLATES / name / "template.yaml").read_text())
    change(body)
    config.load_incluster_config()
    api = client.CustomObjectsApi()
    created = api.create_namespaced_custom_object(group, version, NAMESPACE, plural, body)["metadata"]["name"]
    while True:
        state = finished(api.get_namespaced_custom_object(group, version, NAMESPACE, plural, created).get("status", {}))
        if state == "succeeded":
            return created
        if state == "failed":
            raise RuntimeError(f"{plural}/{created} failed")
        time.sleep(30)


def spark_state(status: dict) -> str | None:
    state = status.get("applicationState", {}).get("state")
    return {"COMPLETED": "succeeded", "FAILED": "failed", "SUBMISSION_FAILED": "failed"}.get(state)


def pytorch_state(status: dict) -> str | None:
    done = {c["type"] for c in status.get("conditions", []) if c.get("status") == "True"}
    return "succeeded" if "Succeeded" in done else "failed" if "Failed" in done else None


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False, is_paused_upon_creation=False)
def retrain():
    @task(executor_config=AS_TRAINER)
    def features() -> str:
        model = get_current_context()["dag_run"].conf["model"]

        def change(body: dict) -> None:
            body["spec"]["arguments"] = [f"--model={model}"]

        return run_template("iris-features", "sparkoperator.k8s.io", "v1beta2", "sparkapplications", change, spark_state)

    @task(executor_config=AS_TRAINER)
    def train(_features: str) -> str:
        context = get_current_context()
        model = context["dag_run"].conf["model"]
        output = f"s3://models/{model}/{context['run_id'].replace(':', '-').replace('+', '-')}"

        def change(body: dict) -> None:
            for replica in body["spec"]["pytorchReplicaSpecs"].values():
                replica["template"]["spec"]["containers"][0]["command"] += [f"--model={model}", f"--output={output}"]

        run_template("iris-ddp", "kubeflow.org", "v1", "pytorchjobs", change, pytorch_state)
        return output

    train(features())


retrain()
