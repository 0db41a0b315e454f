"""Airflow lists Airloom Studio in its navigation: the plugin is loaded by Airflow's own plugin
manager from the plugins folder, and GET /api/v2/plugins's model of it carries the link."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.studio.conftest import PROJECT_ROOT

# Run in a fresh interpreter: Airflow reads its plugins folder once per process and caches.
PROBE = """
import json
from airflow import plugins_manager
from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse

plugins = [PluginResponse.model_validate(p) for p in plugins_manager.get_plugin_info()]
print(json.dumps({
    "plugins": {p.name: [v.model_dump() for v in p.external_views] for p in plugins},
    "errors": plugins_manager.get_import_errors(),
}))
"""


def airflow_plugins(tmp_path: Path, **env: str) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "AIRLOOM_STUDIO"))
    }
    environment |= {
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_nav_links_to_studio(tmp_path: Path):
    found = airflow_plugins(tmp_path, AIRLOOM_STUDIO_URL="http://127.0.0.1:8001/studio/")
    assert found["errors"] == {}
    [view] = found["plugins"]["airloom_studio"]
    assert view["name"] == "Airloom Studio"
    assert view["href"] == "http://127.0.0.1:8001/studio/"
    assert view["destination"] == "nav"
    assert view["nav_top_level"] is True
    assert view["url_route"] is None  # opens Studio itself, not framed in Airflow


def test_an_airflow_option_sets_the_link_where_no_variable_can(tmp_path: Path):
    # On MWAA: the configuration option airloom.studio_url.
    found = airflow_plugins(
        tmp_path, AIRFLOW__AIRLOOM__STUDIO_URL="https://studio.example.com/studio/"
    )
    [view] = found["plugins"]["airloom_studio"]
    assert view["href"] == "https://studio.example.com/studio/"


def test_without_a_studio_url_there_is_no_link(tmp_path: Path):
    found = airflow_plugins(tmp_path)
    assert found["errors"] == {}
    assert found["plugins"]["airloom_studio"] == []


def test_a_relative_url_is_an_import_error_naming_the_setting(tmp_path: Path):
    found = airflow_plugins(tmp_path, AIRLOOM_STUDIO_URL="/studio/")
    assert "airloom_studio" not in found["plugins"]
    [message] = found["errors"].values()
    assert "AIRLOOM_STUDIO_URL" in message and "absolute" in message
