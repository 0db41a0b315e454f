"""What the cross-tenant end-to-end modules share: the two tenants `airloom up` bootstrapped."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.stack_api import Builder
from tests.harness.stack import LocalStack

LOANS = "income,debt,years,approved\n" + "\n".join(
    f"{30 + i % 50},{(i * 7) % 40},{i % 12},{int((30 + i % 50) > (i * 7) % 40 + 20)}"
    for i in range(300)
)


@pytest.fixture(scope="module")
def tenants(stack: LocalStack) -> dict[str, Any]:
    victim, evil = stack.tenants
    for tenant in (victim, evil):
        folder = stack.home / "lake" / "tenants" / tenant.name / "landing" / "loans"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "applications.csv").write_text(LOANS)
    return {
        "victim": victim,
        "evil": evil,
        "victim_builder": Builder(stack, victim.builder_token),
        "evil_builder": Builder(stack, evil.builder_token),
        "platform": Builder(stack, stack.credentials["builder_token"]),
    }
