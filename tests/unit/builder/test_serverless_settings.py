"""The MWAA Serverless target's settings: chosen without what it needs, or with a role pattern
that could give a tenant's workflow another role, the builder does not start, and says which
setting to fix."""

from __future__ import annotations

import pytest

from servicekit.settings import SettingsError, load_settings
from workflow_builder_api.core.config import Settings
from workflow_builder_api.services.serverless.locations import parse_s3_uri
from workflow_builder_api.services.serverless.publisher import ServerlessConfig
from workflow_builder_api.services.serverless.roles import (
    check_role_arn_pattern,
    tenant_log_group,
    tenant_role_arn,
)

PATTERN = "arn:aws:iam::123456789012:role/airloom-{tenant}-workflows"
SERVERLESS = {
    "AIRLOOM_BUILDER_PUBLISH_TARGET": "mwaa_serverless",
    "AIRLOOM_BUILDER_SERVERLESS_DEFINITIONS": "s3://airloom-definitions/workflows",
    "AIRLOOM_BUILDER_SERVERLESS_CODE_PACKAGE": "s3://airloom-code/airloom-code.zip",
    "AIRLOOM_BUILDER_SERVERLESS_ROLE_ARN_PATTERN": PATTERN,
}


def settings_error(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as stopped:
        load_settings(Settings)
    return str(stopped.value)


def test_dag_files_stay_the_default_and_need_nothing_more() -> None:
    settings = Settings()
    assert settings.publish_target == "dag_file"
    assert settings.serverless_definitions is None


def test_choosing_mwaa_serverless_without_its_settings_names_each_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = settings_error(monkeypatch, AIRLOOM_BUILDER_PUBLISH_TARGET="mwaa_serverless")
    for missing in ("DEFINITIONS", "CODE_PACKAGE", "ROLE_ARN_PATTERN"):
        assert f"AIRLOOM_BUILDER_SERVERLESS_{missing}: is required when" in message


def test_a_complete_serverless_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SERVERLESS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AIRLOOM_BUILDER_SERVERLESS_SUBNET_IDS", '["subnet-1", "subnet-2"]')
    monkeypatch.setenv("AIRLOOM_BUILDER_SERVERLESS_PRIVATE_NETWORK", "true")
    config = ServerlessConfig.from_settings(load_settings(Settings))
    assert str(config.definitions) == "s3://airloom-definitions/workflows"
    assert (config.code_package.bucket, config.code_package.key) == (
        "airloom-code",
        "airloom-code.zip",
    )
    assert config.subnet_ids == ("subnet-1", "subnet-2")
    assert config.target.private_network and not config.target.internet


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DEFINITIONS", "https://bucket/prefix", "must be an s3://bucket/... URI"),
        ("DEFINITIONS", "s3://Not_A_Bucket/x", "must name a valid S3 bucket"),
        ("CODE_PACKAGE", "s3://airloom-code", "must name an object"),
        ("CODE_PACKAGE", "s3://airloom-code/folder/", "must name an object"),
        ("ROLE_ARN_PATTERN", "arn:aws:iam::123456789012:role/airloom", "exactly once"),
        ("ROLE_ARN_PATTERN", PATTERN + "-{env}", "the only placeholder"),
        ("ROLE_ARN_PATTERN", "arn:aws:iam::1234:role/airloom-{tenant}", "must render an IAM"),
        ("LOG_GROUP", "/airloom/{tenant}/{tenant}", "at most once"),
        ("LOG_GROUP", "/airloom/{env}", "the only placeholder"),
        ("LOG_GROUP", "/airloom/work flows", "CloudWatch Logs group name"),
    ],
)
def test_a_bad_serverless_setting_names_the_variable_not_its_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    message = settings_error(
        monkeypatch, **{**SERVERLESS, f"AIRLOOM_BUILDER_SERVERLESS_{variable}": value}
    )
    assert f"AIRLOOM_BUILDER_SERVERLESS_{variable}: " in message
    assert expected in message
    assert value not in message


def test_each_tenant_gets_its_own_role() -> None:
    assert tenant_role_arn(PATTERN, "acme") == (
        "arn:aws:iam::123456789012:role/airloom-acme-workflows"
    )
    assert tenant_role_arn(PATTERN, "globex") != tenant_role_arn(PATTERN, "acme")


def test_the_tenant_must_be_in_the_role_name_and_fit_iam_limits() -> None:
    with pytest.raises(ValueError, match="in the role's name"):
        # The tenant in the account's place would let a tenant name pick an account.
        check_role_arn_pattern("arn:aws:iam::{tenant}:role/airloom")
    with pytest.raises(ValueError, match="at most 64 characters"):
        check_role_arn_pattern("arn:aws:iam::123456789012:role/" + "r" * 40 + "-{tenant}")
    assert check_role_arn_pattern("arn:aws:iam::123456789012:role/tenants/{tenant}-wf")


def test_a_definitions_prefix_may_be_empty_and_locations_nest() -> None:
    root = parse_s3_uri("s3://airloom-definitions", object_key=False)
    assert str(root.child("acme", "wf-acme-x", "definition.yaml")) == (
        "s3://airloom-definitions/acme/wf-acme-x/definition.yaml"
    )


def test_the_log_group_may_be_one_per_tenant_or_one_for_all() -> None:
    assert tenant_log_group("/airloom-prod/workflows/{tenant}", "acme") == (
        "/airloom-prod/workflows/acme"
    )
    assert tenant_log_group("/airloom-prod/workflows", "acme") == "/airloom-prod/workflows"
