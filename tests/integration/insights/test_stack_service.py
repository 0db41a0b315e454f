"""`airloom up` starts insights beside the other services: its own port, the stack's broker and
lake, a local admin token; the command it runs serves a healthy app that lands activity."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from airloom_cli.stack import health
from airloom_cli.stack.services import stack_services
from airloom_cli.stack.settings import StackSettings
from tests.harness.kafka_topics import new_topic, publish
from tests.harness.servers import free_port, serve
from tests.integration.insights.conftest import event, eventually


def insights_service(home: Path, **ports: int):
    settings = StackSettings(home=home, **ports)
    (service,) = [s for s in stack_services(settings) if s.name == "insights"]
    return settings, service


def test_up_gives_insights_its_port_the_stack_broker_and_lake_and_a_token(tmp_path):
    settings, service = insights_service(tmp_path)
    assert settings.insights_port not in (settings.serving_port, settings.marketplace_port)
    command = service.command
    assert command[command.index("--port") + 1] == str(settings.insights_port)
    assert command[1] == "insights.app:create_app" and "--factory" in command
    env = service.env
    assert env["AIRLOOM_KAFKA_BOOTSTRAP_SERVERS"] == settings.kafka_bootstrap
    assert env["AIRLOOM_LAKE_URI"] == settings.lake_dir.as_uri()
    assert env["AIRLOOM_INSIGHTS_DATABASE_URL"].endswith("insights/insights.db")
    assert env["AIRLOOM_AUTH_SECRET"]  # Studio's sign-in tokens are accepted
    (token,) = json.loads(env["AIRLOOM_INSIGHTS_BOOTSTRAP_TOKENS"])
    credentials = json.loads((tmp_path / "credentials.json").read_text())
    assert token["token"] == credentials["insights_token"] and token["tenant"] == "default"


def test_a_state_folder_from_before_insights_gains_its_token(tmp_path):
    old = {"builder_token": "alb_kept", "marketplace_key": "alm_kept"}
    (tmp_path / "credentials.json").write_text(json.dumps(old))
    _, service = insights_service(tmp_path)
    credentials = json.loads((tmp_path / "credentials.json").read_text())
    assert {k: credentials[k] for k in old} == old
    assert credentials["insights_token"].startswith("ali_")
    assert "AIRLOOM_INSIGHTS_BOOTSTRAP_TOKENS" in service.env


def test_the_command_serves_insights_and_lands_activity(tmp_path, broker, monkeypatch):
    port = free_port()
    settings, service = insights_service(tmp_path, insights_port=port)
    topic = new_topic(broker.url, "airloom.activity-stack")
    env = service.env | {
        "AIRLOOM_KAFKA_BOOTSTRAP_SERVERS": broker.url,
        "AIRLOOM_INSIGHTS_ACTIVITY_TOPIC": topic,
    }
    for name, value in env.items():  # the server process inherits them
        monkeypatch.setenv(name, value)
    url = f"http://127.0.0.1:{port}"
    token = json.loads(service.env["AIRLOOM_INSIGHTS_BOOTSTRAP_TOKENS"])[0]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    probe = health.http_ok(f"{url}/healthz")
    with serve("insights", service.command, probe, url, port, timeout=60):
        run = event(
            "dag_run", "default", dag_id="stack_check", run_id="s1", state="success", duration_s=60
        )
        publish(broker.url, topic, [json.dumps(run).encode()])

        def runs() -> int:
            answer = httpx.get(f"{url}/api/v1/kpis", headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            return answer.json()["runs"]

        assert eventually(runs) == 1
    assert (settings.lake_dir / "_airloom" / "activity" / "dag_run" / "tenant=default").is_dir()
