"""A loopback stand-in for the Amazon MWAA API, which moto does not implement.

It speaks MWAA's REST-JSON protocol for the calls Airloom makes (create, get, update and
list environments; InvokeRestApi), so boto3 talks to it exactly as to AWS. InvokeRestApi
forwards to a real Airflow api-server, as MWAA forwards to its webserver. Run it as a
process: ``python -m tests.harness.mwaa_server PORT --airflow-url URL --password PW``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _error(status: int, error_type: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"message": message, **extra},
        status_code=status,
        headers={"x-amzn-errortype": error_type},
    )


def create_app(airflow_url: str | None, username: str = "", password: str = "") -> FastAPI:
    app = FastAPI(title="MWAA stand-in")
    environments: dict[str, dict[str, Any]] = {}
    token: dict[str, str] = {}

    def arn(name: str) -> str:
        return f"arn:aws:airflow:{REGION}:{ACCOUNT}:environment/{name}"

    @app.put("/environments/{name}")
    async def create_environment(name: str, request: Request) -> JSONResponse:
        if name in environments:
            return _error(400, "ValidationException", f"environment {name} already exists")
        body = await request.json()
        environments[name] = {
            **body,
            "Name": name,
            "Arn": arn(name),
            "Status": "AVAILABLE",
            "CreatedAt": datetime.now(UTC).timestamp(),
            "WebserverUrl": (airflow_url or "http://127.0.0.1").split("://", 1)[1],
            "LastUpdate": {"Status": "SUCCESS", "CreatedAt": datetime.now(UTC).timestamp()},
        }
        return JSONResponse({"Arn": arn(name)})

    @app.get("/environments")
    def list_environments() -> JSONResponse:
        return JSONResponse({"Environments": sorted(environments)})

    @app.get("/environments/{name}")
    def get_environment(name: str) -> JSONResponse:
        if name not in environments:
            return _error(404, "ResourceNotFoundException", f"environment {name} not found")
        return JSONResponse({"Environment": environments[name]})

    @app.patch("/environments/{name}")
    async def update_environment(name: str, request: Request) -> JSONResponse:
        if name not in environments:
            return _error(404, "ResourceNotFoundException", f"environment {name} not found")
        update = await request.json()
        environments[name].update(update)
        environments[name]["LastUpdate"] = {
            "Status": "SUCCESS",
            "CreatedAt": datetime.now(UTC).timestamp(),
            "Source": "API",
        }
        return JSONResponse({"Arn": arn(name)})

    @app.post("/restapi/{name}")
    async def invoke_rest_api(name: str, request: Request) -> JSONResponse:
        if name not in environments:
            return _error(404, "ResourceNotFoundException", f"environment {name} not found")
        if airflow_url is None:
            return _error(400, "ValidationException", "this stand-in has no Airflow behind it")
        call = await request.json()
        async with httpx.AsyncClient(base_url=airflow_url, timeout=30) as http:
            if "access_token" not in token:
                login = await http.post(
                    "/auth/token", json={"username": username, "password": password}
                )
                token["access_token"] = login.json()["access_token"]
            response = await http.request(
                call["Method"],
                f"/api/v2{call['Path']}",
                params=call.get("QueryParameters"),
                json=call.get("Body"),
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
        body = response.json() if response.content else None
        if response.status_code >= 500:
            return _error(
                400,
                "RestApiServerException",
                "Airflow failed",
                RestApiStatusCode=response.status_code,
                RestApiResponse=body,
            )
        if response.status_code >= 400:
            return _error(
                400,
                "RestApiClientException",
                "Airflow refused the request",
                RestApiStatusCode=response.status_code,
                RestApiResponse=body,
            )
        return JSONResponse({"RestApiStatusCode": response.status_code, "RestApiResponse": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--airflow-url")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    app = create_app(args.airflow_url, args.username, args.password)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
