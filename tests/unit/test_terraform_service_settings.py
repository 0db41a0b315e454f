"""Every AIRLOOM_* variable Terraform gives a service's ECS task is one of that service's
settings: the settings ignore unknown variables, so a misspelt name would silently leave a
deployment on its default (a builder publishing DAG files instead of to MWAA Serverless)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from insights.core.config import Settings as InsightsSettings
from insights.detection.refresh import DetectionSettings
from marketplace.core.config import Settings as MarketplaceSettings
from workflow_builder_api.core.config import Settings as BuilderSettings

SERVICES_MODULE = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "services"
# Each service's settings classes (the insights service's refresh job reads its own).
SETTINGS: dict[str, tuple[type[BaseSettings], ...]] = {
    "BUILDER": (BuilderSettings,),
    "MARKETPLACE": (MarketplaceSettings,),
    "INSIGHTS": (InsightsSettings, DetectionSettings),
}


def variable_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables ``settings`` reads: its prefix and field names, its aliases."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = set()
    for name, field in settings.model_fields.items():
        names.add(f"{prefix}{name}".upper())
        alias = field.validation_alias
        for choice in getattr(alias, "choices", [alias] if alias else []):
            names.add(str(choice).upper())
    return names


def given_by_terraform(service: str) -> set[str]:
    """The service's variables the module names, in task environments or as values of maps
    that build them; comments left out."""
    lines = (
        line.split("#", 1)[0]
        for path in sorted(SERVICES_MODULE.glob("*.tf"))
        for line in path.read_text().splitlines()
    )
    return set(re.findall(rf"\b(AIRLOOM_{service}_[A-Z0-9_]*[A-Z0-9])\b", "\n".join(lines)))


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_variable_terraform_sets_is_a_setting_of_its_service(service: str) -> None:
    given = given_by_terraform(service)

    assert given, f"the services module sets no AIRLOOM_{service}_* variable"
    read = set().union(*(variable_names(settings) for settings in SETTINGS[service]))
    assert given - read == set()


def test_the_builder_gets_its_mwaa_serverless_settings() -> None:
    given = given_by_terraform("BUILDER")

    assert {
        "AIRLOOM_BUILDER_PUBLISH_TARGET",
        "AIRLOOM_BUILDER_SERVERLESS_ROLE_ARN_PATTERN",
        "AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN",
        "AIRLOOM_BUILDER_SERVERLESS_GLUE_ROLE_ARN_PATTERN",
    } <= given
