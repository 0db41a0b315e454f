"""Airflow's REST API on Amazon MWAA, reached through ``InvokeRestApi`` with the caller's IAM
role: the same paths and answers as the local api-server (:mod:`servicekit.airflow_client`)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from servicekit.airflow_client import AirflowApiError, AirflowClient


class MwaaAirflowClient(AirflowClient):
    """Amazon MWAA: the same REST API through ``InvokeRestApi``, authorised by IAM."""

    def __init__(self, environment: str, mwaa_client: Any) -> None:
        self.environment = environment
        self._mwaa = mwaa_client
        self._ui_url: str | None = None

    @classmethod
    def connect(
        cls, environment: str, *, region: str | None, endpoint_url: str | None
    ) -> MwaaAirflowClient:
        """A client of ``environment`` through boto3's MWAA client (``endpoint_url``: e.g. a
        stand-in in tests)."""
        mwaa = boto3.client(
            "mwaa",
            region_name=region,
            endpoint_url=endpoint_url,
            # MWAA prefixes hosts ("api.", "env."); a loopback stand-in has no such names.
            config=Config(inject_host_prefix=endpoint_url is None),
        )
        return cls(environment, mwaa)

    @property
    def ui_url(self) -> str:
        if self._ui_url is None:
            env = self._mwaa.get_environment(Name=self.environment)["Environment"]
            self._ui_url = f"https://{env['WebserverUrl']}"
        return self._ui_url

    def request(self, method, path, *, json=None, params=None):  # type: ignore[override]
        arguments: dict[str, Any] = {"Name": self.environment, "Path": path, "Method": method}
        if json is not None:
            arguments["Body"] = json
        if params:
            arguments["QueryParameters"] = params
        try:
            response = self._mwaa.invoke_rest_api(**arguments)
        except self._mwaa.exceptions.RestApiClientException as exc:
            body = exc.response
            status = body.get("RestApiStatusCode", 400)
            detail = (body.get("RestApiResponse") or {}).get("detail", str(exc))
            raise AirflowApiError(status, method, path, detail) from exc
        except self._mwaa.exceptions.RestApiServerException as exc:
            raise AirflowApiError(
                exc.response.get("RestApiStatusCode", 500), method, path, str(exc)
            ) from exc
        return response.get("RestApiResponse")
