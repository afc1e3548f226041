"""Features with Spark, distributed training with PyTorch, then a candidate predictor: on the platform of examples/training.

- Every task that talks to Kubernetes runs as a ServiceAccount of its own, chosen with its `pod_override`; its
  in-cluster client authenticates with that ServiceAccount's token, so no kubeconfig is needed.
- The job templates are mounted in every task pod at /opt/airflow/training/<name>/template.yaml; a task submits a copy,
  and the API server names it (`generateName`).
- Rank 0 logs to MLflow: the training script checks `int(os.environ["RANK"]) == 0` inside the training process, where
  torchrun sets the global rank (the pod's own RANK is only its index).
"""
from __future__ import annotations

import time
from pathlib import Path

import pendulum
import yaml
from airflow.sdk import dag, task
from kubernetes import client, config
from kubernetes.client import models as k8s

NAMESPACE = "mlops"
TEMPLATES = Path("/opt/airflow/training")


def runs_as(service_account: str) -> dict:
    """The executor_config of a task whose pod runs as `service_account` (KubernetesExecutor pod_override)."""
    spec = k8s.V1PodSpec(service_account_name=service_account, containers=[k8s.V1Container(name="base")])
    return {"pod_override": k8s.V1Pod(spec=spec)}


def template(name: str) -> dict:
    return yaml.safe_load((TEMPLATES / name / "template.yaml").read_text())


def submit(body: dict, group: str, version: str, plural: str) -> str:
    config.load_incluster_config()
    created = client.CustomObjectsApi().create_namespaced_custom_object(group, version, NAMESPACE, plural, body)
    return created["metadata"]["name"]


def wait(group: str, version: str, plural: str, name: str, finished) -> None:
    api = client.CustomObjectsApi()
    while True:
        state = finished(api.get_namespaced_custom_object(group, version, NAMESPACE, plural, name).get("status", {}))
        if state == "succeeded":
            return
        if state == "failed":
            raise RuntimeError(f"{plural}/{name} failed")
        time.sleep(30)


def spark_state(status: dict) -> str | None:
    state = status.get("applicationState", {}).get("state")
    return {"COMPLETED": "succeeded", "FAILED": "failed", "SUBMISSION_FAILED": "failed"}.get(state)


def pytorch_state(status: dict) -> str | None:
    done = {c["type"] for c in status.get("conditions", []) if c.get("status") == "True"}
    return "succeeded" if "Succeeded" in done else "failed" if "Failed" in done else None


@dag(schedule="@weekly", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False)
def train_mnist():
    @task(executor_config=runs_as("airflow-trainer"))
    def features(ds=None) -> str:
        body = template("features-run")
        body["spec"]["arguments"] = [f"--date={ds}"]
        name = submit(body, "sparkoperator.k8s.io", "v1beta2", "sparkapplications")
        wait("sparkoperator.k8s.io", "v1beta2", "sparkapplications", name, spark_state)
        return name

    @task(executor_config=runs_as("airflow-trainer"))
    def train(_features: str, run_id=None) -> str:
        body = template("mnist-ddp-run")
        output = f"mnist/{run_id.replace(':', '-').replace('+', '-')}"
        for replica in body["spec"]["pytorchReplicaSpecs"].values():
            replica["template"]["spec"]["containers"][0]["command"] += ["--epochs=10", f"--output=s3://models/{output}"]
        name = submit(body, "kubeflow.org", "v1", "pytorchjobs")
        wait("kubeflow.org", "v1", "pytorchjobs", name, pytorch_state)
        return output

    @task(executor_config=runs_as("airflow-deployer"))
    def deploy(output: str) -> None:
        """A candidate next to the served `mnist`, with its ServiceAccount (the bucket's credentials) and the new model."""
        config.load_incluster_config()
        api = client.CustomObjectsApi()
        served = api.get_namespaced_custom_object("serving.kserve.io", "v1beta1", NAMESPACE, "inferenceservices", "mnist")
        predictor = served["spec"]["predictor"]
        predictor["model"]["storageUri"] = f"s3://models/{output}"
        candidate = {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {"name": "mnist-candidate", "annotations": served["metadata"].get("annotations", {})},
            "spec": {"predictor": predictor},
        }
        try:
            api.create_namespaced_custom_object("serving.kserve.io", "v1beta1", NAMESPACE, "inferenceservices", candidate)
        except client.ApiException as error:
            if error.status != 409:
                raise
            api.patch_namespaced_custom_object("serving.kserve.io", "v1beta1", NAMESPACE, "inferenceservices", "mnist-candidate",
                                               {"spec": {"predictor": predictor}})

    deploy(train(features()))


train_mnist()
