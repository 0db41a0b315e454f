"""Running and debugging a workflow, and its versions, in Studio on the real local stack.

A tenant's editor publishes and runs a two-node design from Studio and watches both nodes turn
successful on the run page; opens a run whose Spark SQL cannot parse, reads the failed node's
error and log tail there and retries from it; and compares two saved versions, then restores
the first. Workflows are made through the builder's API (the canvas is another test's subject);
everything after that is done as a person does it, and checked by what the pages show.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import open_signed_in, serious_accessibility_problems
from tests.harness.stack import LocalStack, Login
from tests.integration.builder import queries
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e

ORDERS = "id,amount\n" + "\n".join(f"{i},{10 + i}.5" for i in range(8))
GOOD_SQL = "SELECT id, amount FROM orders WHERE amount > 12"
# Valid to the design's checks; Spark's parser refuses it (as in test_run_debugging).
BAD_SQL = "SELECT id FROM orders FETCH FIRST 5 ROWS ONLY"
SPARK_SAYS = "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FIRST'"
# A run on the stack starts Spark: minutes on a busy two-core machine.
RUN_MS = 400_000
# A page's data (a log read from Airflow, a diff) on a loaded machine.
PAGE_MS = 60_000


def design(name: str, sql: str, **extra: Any) -> dict[str, Any]:
    return spec(
        name,
        defaults={"retries": 0, "retryDelaySeconds": 0},
        nodes=[
            node(
                "load",
                "file_ingest",
                {
                    "source": "lake://landing/studio_runs/*.csv",
                    "format": "csv",
                    "dataset": "orders",
                },
            ),
            node("clean", "spark_transform", {"sql": sql, "output_dataset": "clean"}, 250),
        ],
        edges=[{"source": "load.table", "target": "clean.tables"}],
        **extra,
    )


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def editor(stack: LocalStack) -> tuple[Builder, Login]:
    tenant = stack.tenants[0]
    landing = stack.home / "lake" / "tenants" / tenant.name / "landing" / "studio_runs"
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "orders.csv").write_text(ORDERS)
    return Builder(stack, tenant.builder_token), stack.studio_login(tenant.studio_username)


def no_serious_problems(page: Page) -> None:
    assert serious_accessibility_problems(page) == []


def test_publish_and_run_from_studio_and_see_every_node_succeed(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    workflow_id = builder.create(design(unique("studio_run"), GOOD_SQL))
    open_signed_in(page, stack, login, f"workflows/{workflow_id}/runs")
    expect(page.get_by_role("heading", name=re.compile(r"^Runs of "), level=1)).to_be_visible()
    expect(page.get_by_text("This workflow has not run yet.")).to_be_visible()
    no_serious_problems(page)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Published version 1")).to_be_visible(
        timeout=120_000
    )
    page.get_by_role("button", name="Run", exact=True).click()
    # triggerRun answers once Airflow has parsed the new DAG: up to minutes here.
    expect(page.get_by_role("heading", name=re.compile(r"^Run of .*, v1$"))).to_be_visible(
        timeout=RUN_MS
    )
    status = page.get_by_role("status").filter(has_text=re.compile(r"^Run "))
    expect(status).to_have_text("Run success: 2 of 2 nodes succeeded", timeout=RUN_MS)
    for name in ("load: success", "clean: success"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    # The canvas shows each node's state as text, not only a colour.
    expect(page.get_by_label(re.compile(r"^Graph of run ")).get_by_text("success")).to_have_count(2)
    no_serious_problems(page)

    page.get_by_role("link", name="All runs").click()
    row = page.get_by_role("row").filter(has_text="v1")
    expect(row).to_contain_text("success", timeout=PAGE_MS)
    expect(row).to_contain_text(login.username)


def test_a_failed_node_shows_its_error_and_log_and_retries_from_there(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    workflow_id, _ = builder.create_and_publish(design(unique("studio_fail"), BAD_SQL))
    run_id = builder.data(queries.TRIGGER, id=workflow_id)["triggerRun"]["id"]
    open_signed_in(page, stack, login, f"workflows/{workflow_id}/runs/{run_id}")
    failed = page.get_by_role("button", name="clean: failed")
    expect(failed).to_be_visible(timeout=RUN_MS)
    failed.click()
    panel = page.get_by_role("region", name="Node clean")
    expect(panel).to_contain_text(SPARK_SAYS, timeout=PAGE_MS)
    expect(panel.get_by_label("Log of clean")).to_contain_text(SPARK_SAYS, timeout=PAGE_MS)
    no_serious_problems(page)

    panel.get_by_role("button", name="Retry from this node").click()
    # The node runs again (its second try) and, the SQL being what it is, fails again.
    expect(page.get_by_role("button", name="clean: failed (try 2)")).to_be_visible(timeout=RUN_MS)
    expect(page.get_by_role("button", name="load: success")).to_be_visible()


def test_versions_show_what_changed_and_restore_the_first(
    stack: LocalStack, editor: tuple[Builder, Login], page: Page
) -> None:
    builder, login = editor
    name = unique("studio_versions")
    first = design(name, GOOD_SQL)
    workflow_id = builder.create(first)
    second = design(name, "SELECT id FROM orders")
    second["nodes"].append(
        node(
            "extra",
            "spark_transform",
            {"sql": "SELECT id FROM clean", "output_dataset": "extra"},
            500,
        )
    )
    second["edges"].append({"source": "clean.table", "target": "extra.tables"})
    builder.data(
        queries.UPDATE, id=workflow_id, expected=1, spec=second, message="narrower and longer"
    )

    open_signed_in(page, stack, login, f"workflows/{workflow_id}/versions")
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem").first).to_contain_text(
        "narrower and longer", timeout=PAGE_MS
    )
    params = page.get_by_role("table", name="Parameter changes")
    expect(params.get_by_role("row").filter(has_text="clean")).to_contain_text(
        "SELECT id FROM orders", timeout=PAGE_MS
    )
    canvas = page.get_by_label("Changes from v1 to v2")
    expect(canvas.get_by_text("added", exact=True).first).to_be_visible()
    expect(canvas.get_by_text("changed", exact=True)).to_be_visible()
    no_serious_problems(page)

    page.get_by_role("button", name="Restore version 1").click()
    expect(
        page.get_by_role("status").filter(has_text="Restored version 1 as version 3")
    ).to_be_visible(timeout=PAGE_MS)
    expect(timeline.get_by_role("listitem").first).to_contain_text("v3", timeout=PAGE_MS)
