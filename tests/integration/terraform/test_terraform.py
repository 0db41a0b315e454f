"""The Terraform checks CI runs: fmt, offline init and validate per environment, the modules'
``terraform test`` files (plans against a mocked provider), checkov.

Without terraform, its provider mirror or checkov these tests skip and say why; with
``AIRLOOM_CI=1`` (set by ``.ci/run``) they fail instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from airloom_cli.aws.project import Project
from airloom_cli.aws.terraform import (
    environment_names,
    find_provider_mirror,
    find_terraform,
    fmt_check,
    modules_with_tests,
    validate_environment,
)
from airloom_cli.aws.terraform import test_module as run_module_tests
from airloom_cli.main import cli

PROJECT = Project(Path(__file__).resolve().parents[3])
CHECKOV = PROJECT.root / ".tools" / "checkov" / "bin" / "checkov"
CHECKOV_CONFIG = PROJECT.terraform / ".checkov.yaml"


def require(found, what: str, how: str):
    """Return ``found``; when it is missing, skip locally but fail in CI."""
    if found:
        return found
    message = f"{what} not found: {how}"
    if os.environ.get("AIRLOOM_CI") == "1":
        pytest.fail(f"{message} (AIRLOOM_CI=1: CI must run this check)")
    pytest.skip(reason=message)


@pytest.fixture(scope="module")
def terraform() -> str:
    return require(find_terraform(), "terraform", "install Terraform >= 1.6")


@pytest.fixture(scope="module")
def mirror() -> Path:
    return require(
        find_provider_mirror(),
        "hashicorp/aws provider mirror",
        "set AIRLOOM_TF_PLUGIN_MIRROR to a folder holding registry.terraform.io/hashicorp/aws",
    )


def test_every_environment_is_there():
    assert environment_names(PROJECT) == ["dev", "prod", "staging"]


def test_terraform_is_formatted(terraform: str):
    result = fmt_check(PROJECT, terraform)
    assert result.ok, result.output


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_environment_validates_offline(terraform: str, mirror: Path, environment: str):
    result = validate_environment(PROJECT, environment, terraform, mirror)
    assert result.ok, result.output
    assert "The configuration is valid" in result.output


def test_the_services_module_has_terraform_tests():
    # Who may call which API Gateway route is asserted there (keys, the Cognito authorizer).
    assert "services" in modules_with_tests(PROJECT)


def test_tenant_aws_access_has_terraform_tests():
    # A tenant's role: who may assume it, and which services, streams and S3 locations it
    # reaches; and the execution role's side (it may assume exactly the tenants' roles).
    assert {"tenant_aws_access", "mwaa"} <= set(modules_with_tests(PROJECT))


def test_tenant_workflow_role_has_terraform_tests():
    # A tenant's MWAA Serverless execution role: who may assume it, and that no statement of one
    # tenant's role reaches another tenant's prefixes, topics, secrets or logs.
    assert "tenant_workflow_role" in modules_with_tests(PROJECT)


@pytest.mark.parametrize("module", modules_with_tests(PROJECT))
def test_module_terraform_tests_pass_offline(terraform: str, mirror: Path, module: str):
    result = run_module_tests(PROJECT, module, terraform, mirror)
    assert result.ok, result.output
    assert "0 failed" in result.output


def test_an_unknown_environment_is_refused_by_name():
    result = CliRunner().invoke(cli, ["terraform", "check", "qa", "--project", str(PROJECT.root)])

    assert result.exit_code != 0
    assert "unknown environment 'qa'" in result.output
    assert "dev, prod, staging" in result.output


def skipped_checks() -> list[tuple[str, str]]:
    """(check id, its inline reason) for every skip in the checkov config."""
    entries = []
    lines = CHECKOV_CONFIG.read_text().splitlines()
    inside = False
    for line in lines:
        if line.startswith("skip-check:"):
            inside = True
        elif inside and line.strip().startswith("- "):
            check, _, reason = line.strip()[2:].partition("#")
            entries.append((check.strip(), reason.strip()))
        elif inside and line and not line.startswith(" "):
            inside = False
    return entries


def test_every_skipped_check_says_why():
    skips = skipped_checks()
    assert skips, "the checkov config lists no skips"
    assert all(check.startswith("CKV") and reason for check, reason in skips), skips


def test_checkov_finds_no_failed_check():
    checkov = require(
        CHECKOV if CHECKOV.is_file() else None, "checkov", "run `make checkov` to install it"
    )
    result = subprocess.run(
        [
            str(checkov),
            "--config-file",
            str(CHECKOV_CONFIG),
            "-d",
            str(PROJECT.terraform),
            "-o",
            "json",
        ],
        cwd=PROJECT.root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert sum(report["summary"]["passed"] for report in reports) > 0
