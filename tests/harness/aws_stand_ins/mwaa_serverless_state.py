"""What the MWAA Serverless stand-in keeps: workflows, their immutable versions, and the loader.

Each version holds what it was created with, snapshotted at request time as the service does:
the definition's text (read from moto's S3 at the given or latest object version), the code
package's S3 version, the role, the network configuration and the workflow's tags then.
Tests read them through :func:`mwaa_serverless_workflows`.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.harness.aws_stand_ins.mwaa_serverless_model import not_found, validation_error

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

_STATE_LOCK = threading.Lock()
# dag-factory builds DAGs through Airflow's DAG context, which is process-wide: one at a time.
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class WorkflowVersionRecord:
    """One version of a workflow, as CreateWorkflow or UpdateWorkflow made it.

    :param definition_location: ``DefinitionS3Location`` as the request gave it.
    :param definition_version_id: the S3 version of the object that was read (None when its
        bucket keeps no versions).
    :param definition_text: the definition as read then; later changes to the object do not
        reach it.
    :param code_location: ``Code.S3Location`` as the request gave it, or None.
    :param code_version_id: the S3 version of the code package when the version was made.
    """

    workflow_arn: str
    name: str
    version: str
    created_at: str
    role_arn: str
    definition_location: dict[str, Any]
    definition_version_id: str | None
    definition_text: str
    dag_id: str
    task_ids: tuple[str, ...]
    schedule: str | None
    code_location: dict[str, Any] | None = None
    code_version_id: str | None = None
    code_snapshotted_at: str | None = None
    description: str | None = None
    network_configuration: dict[str, Any] | None = None
    logging_configuration: dict[str, Any] | None = None
    engine_version: int | None = None
    trigger_mode: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkflowRecord:
    """A workflow as tests read it: its versions oldest first."""

    name: str
    arn: str
    tags: dict[str, str]
    versions: tuple[WorkflowVersionRecord, ...]

    @property
    def latest(self) -> WorkflowVersionRecord:
        return self.versions[-1]


@dataclass
class Workflow:
    name: str
    arn: str
    created_at: str
    encryption_configuration: dict[str, Any] | None
    tags: dict[str, str]
    versions: list[WorkflowVersionRecord] = field(default_factory=list)
    revision_id: str = ""

    def version(self, version: str | None) -> WorkflowVersionRecord:
        """``version``, or the latest when None; an unknown one is not found."""
        if version is None:
            return self.versions[-1]
        for record in self.versions:
            if record.version == version:
                return record
        raise not_found("WorkflowVersion", version)


@dataclass
class ServerlessState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    workflows: dict[str, Workflow] = field(default_factory=dict)  # by ARN
    create_tokens: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    runs: dict[str, Any] = field(default_factory=dict)  # by RunId (mwaa_serverless_runs)
    run_tokens: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    runner: Any = None  # the run dispatcher, started with the first run


def serverless(stand_in: StandIn) -> ServerlessState:
    with _STATE_LOCK:
        return stand_in.state.setdefault("mwaa_serverless", ServerlessState())


def workflow(stand_in: StandIn, arn: Any) -> Workflow:
    found = serverless(stand_in).workflows.get(arn)
    if found is None:
        raise not_found("Workflow", str(arn))
    return found


def mwaa_serverless_workflows(stand_in: StandIn) -> dict[str, WorkflowRecord]:
    """Every workflow not deleted, by name, with what each of its versions was created with."""
    state = serverless(stand_in)
    with state.lock:
        return {
            flow.name: WorkflowRecord(flow.name, flow.arn, dict(flow.tags), tuple(flow.versions))
            for flow in state.workflows.values()
        }


# -- the definition -------------------------------------------------------------------------------


def load_definition(text: str) -> Any:
    """The one DAG the definition declares, built by dag-factory's loader as the service's
    loader builds it.

    :raises AwsError: ``ValidationException`` on ``DefinitionS3Location`` with the loader's
        own message, or when the file declares no DAG or more than one.
    """
    from dagfactory import load_yaml_dags

    found: dict[str, Any] = {}
    with _LOAD_LOCK, tempfile.TemporaryDirectory(prefix="mwaa-serverless-") as folder:
        path = Path(folder) / "definition.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_yaml_dags(found, config_filepath=str(path), defaults_config_path=folder)
        except Exception as error:  # noqa: BLE001 - the loader's failure is the answer
            raise validation_error(
                "DefinitionS3Location",
                f"The workflow definition could not be loaded: {type(error).__name__}: {error}",
            ) from None
    dags = [value for value in found.values() if hasattr(value, "task_dict")]
    if len(dags) != 1:
        raise validation_error(
            "DefinitionS3Location",
            f"The workflow definition must declare exactly one DAG; it declares {len(dags)}",
        )
    return dags[0]


def read_definition(stand_in: StandIn, location: dict[str, Any]) -> tuple[str, str | None]:
    """The definition's text and the S3 version it was read at."""
    extra = {"VersionId": location["VersionId"]} if location.get("VersionId") else {}
    s3 = stand_in.s3()
    try:
        got = s3.get_object(Bucket=location["Bucket"], Key=location["ObjectKey"], **extra)
        text = got["Body"].read().decode("utf-8")
    except s3.exceptions.ClientError as error:
        raise _unreadable("DefinitionS3Location", location, error) from None
    except UnicodeDecodeError:
        raise validation_error(
            "DefinitionS3Location", "The workflow definition is not UTF-8 text"
        ) from None
    return text, got.get("VersionId")


def code_version(stand_in: StandIn, location: dict[str, Any]) -> str | None:
    """The S3 version of the code package now: what the service copies."""
    extra = {"VersionId": location["VersionId"]} if location.get("VersionId") else {}
    s3 = stand_in.s3()
    try:
        head = s3.head_object(Bucket=location["Bucket"], Key=location["ObjectKey"], **extra)
    except s3.exceptions.ClientError as error:
        raise _unreadable("Code.S3Location", location, error) from None
    return head.get("VersionId")


def _unreadable(name: str, location: dict[str, Any], error: Any) -> Exception:
    code = error.response.get("Error", {}).get("Code", "Error")
    code = "no such object" if code in ("404", "NoSuchKey", "NoSuchVersion") else code
    version = f" (version {location['VersionId']})" if location.get("VersionId") else ""
    return validation_error(
        name,
        f"Unable to read {name} s3://{location['Bucket']}/{location['ObjectKey']}{version}: {code}",
    )
