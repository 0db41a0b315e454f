"""Studio's Dashboard in a real browser on the local stack: the seeded runs and deployment reach
the insights service through Airflow's listener and the activity topic, and an owner sees them
as figures, asks a question in plain English, and sets what a run is worth. Beforehand, through
the insights API: the seeded run costs what its task tries took at the rates file's prices, and
new predictions reach ROI by endpoint within seconds, counted exactly, in this tenant only."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack_api import Builder
from tests.e2e.stack_insights import (
    FIGURES_SECONDS,
    Insights,
    eventually,
    predict,
    run_cost_by_hand,
    serving_price_per_second,
    signed_in_token,
)
from tests.e2e.studio_pages import open_signed_in, serious_accessibility_problems
from tests.e2e.studio_seed import FEATURES, StudioData
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e

# The listener sends each run's end as it happens and the service lands it within a second or
# two; on a loaded two-core machine the first figures are given a minute.
ACTIVITY_MS = 60_000
SUCCESSFUL_RUNS = {
    "metrics": ["runs"],
    "group_by": ["workflow"],
    "filters": [{"dimension": "state", "values": ["success"]}],
}


def successful_workflow(stack: LocalStack, page: Page) -> str:
    """A workflow of the tenant with a successful run (its value counts for those only), asked
    of the insights API with the tab's own sign-in token."""
    token = page.evaluate("() => JSON.parse(sessionStorage['airloom.studio.session']).token")
    answer = httpx.post(
        stack.url("AIRLOOM_INSIGHTS_PORT", "/api/v1/questions"),
        json={"query": SUCCESSFUL_RUNS},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    assert rows, "no successful run of the tenant reached the insights service"
    return rows[0][0]


# The seeded failing workflow's tasks (tests/e2e/studio_seed.py, failing_run): task id → node type.
SEEDED_RUN_NODES = {"load": "file_ingest", "clean": "spark_transform"}
RUN_IDS = "query($id: ID!) { run(id: $id) { dagId airflowRunId } }"
REQUESTS = 4
DEPLOYMENTS = "deployments per endpoint in the last 7 days"
ROWS = [[10.0 + i, 25.5 * i, float(i % 4), 3.0 + i] for i in range(3)]


def test_the_seeded_run_costs_its_task_tries_at_the_rates_files_prices(
    stack: LocalStack, studio_data: StudioData
) -> None:
    tenant = studio_data.tenant
    ids = Builder(stack, tenant.builder_token).data(RUN_IDS, id=studio_data.run_id)["run"]
    run = stack.airflow().get_run(ids["dagId"], ids["airflowRunId"])
    assert run.start_date is not None and run.state == "failed", run
    dag_id, run_id = ids["dagId"], ids["airflowRunId"]
    by_hand = run_cost_by_hand(stack, tenant.name, dag_id, run_id, SEEDED_RUN_NODES)
    # The Spark task is priced at 4 vCPU and 16 GB an hour, the file ingest at a worker's hour.
    insights = Insights(stack, signed_in_token(stack, stack.studio_login(tenant.studio_username)))
    shown, _ = insights.wait_for_roi(
        "workflow",
        "orders_cleanup",
        run.start_date - timedelta(seconds=1),
        lambda f: f.runs == 1 and math.isclose(f.cost_usd, by_hand, rel_tol=1e-9),
        expected=f"1 run costing {by_hand} USD",
    )
    assert (shown.runs, shown.failures) == (1, 1), shown


def test_predictions_and_the_deployment_reach_roi_within_seconds_for_their_tenant_only(
    stack: LocalStack, studio_data: StudioData
) -> None:
    tenant, endpoint = studio_data.tenant, studio_data.endpoint
    insights = Insights(stack, signed_in_token(stack, stack.studio_login(tenant.studio_username)))
    # The seeded deployment, finished (its `ready` event), as the questions read it.
    deployments = eventually(
        f"{endpoint}'s deployment among the tenant's",
        lambda: insights.ask(DEPLOYMENTS),
        lambda answer: answer["status"] == "understood" and endpoint in dict(answer["rows"]),
    )
    assert deployments["columns"] == ["endpoint", "deployments"], deployments
    assert dict(deployments["rows"])[endpoint] >= 1, deployments

    since = datetime.now(UTC)
    payload = {"dataframe_split": {"columns": FEATURES, "data": ROWS}}
    served = [predict(stack, tenant.marketplace_key, endpoint, payload) for _ in range(REQUESTS)]
    answered = datetime.now(UTC)
    rows = sum(predicted for predicted, _ in served)
    assert rows == REQUESTS * len(ROWS), served
    shown, seen = insights.wait_for_roi(
        "endpoint", endpoint, since, lambda f: f.predictions >= rows
    )
    lag = (seen - answered).total_seconds()
    print(f"insights: {REQUESTS} predictions of {endpoint} in the ROI figures {lag:.1f} s after")
    assert lag < FIGURES_SECONDS, lag
    assert (shown.predictions, shown.runs) == (rows, 0), shown
    # Serving is charged for the time the requests took, which the client waited out in full.
    client_seconds = sum(seconds for _, seconds in served)
    assert 0 < shown.cost_usd <= client_seconds * serving_price_per_second(), shown
    window = {"start": since.isoformat(), "end": (seen + timedelta(seconds=1)).isoformat()}
    counted = insights.query(
        {
            "metrics": ["invocations", "predictions"],
            "filters": [{"dimension": "endpoint", "values": [endpoint]}],
            "time_range": window,
        }
    )
    assert counted["rows"] == [[REQUESTS, rows]], counted

    other = stack.tenants[1]
    theirs = Insights(stack, signed_in_token(stack, stack.studio_login(other.studio_username)))
    assert endpoint not in theirs.roi("endpoint", since, datetime.now(UTC))
    their_deployments = theirs.ask(DEPLOYMENTS)
    assert endpoint not in dict(their_deployments["rows"]), their_deployments


def test_an_owner_reads_asks_and_values_on_the_dashboard(
    stack: LocalStack, page: Page, studio_data: StudioData
) -> None:
    tenant = studio_data.tenant
    open_signed_in(page, stack, stack.studio_login(tenant.studio_username), "workflows")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # The seeded runs (a failed workflow run, the model's deployment) as key figures.
    expect(page.get_by_role("group", name="Runs")).to_have_text(
        re.compile(r"Runs\s*[1-9]"), timeout=ACTIVITY_MS
    )
    expect(page.get_by_role("group", name="Cost")).to_have_text(re.compile(r"Cost\s*\$\d"))
    expect(page.get_by_role("group", name="Failure rate")).to_have_text(re.compile(r"\d+ %"))
    roi_table = page.get_by_role("table", name="ROI by workflow")
    expect(roi_table.get_by_role("row", name=re.compile("^orders_cleanup"))).to_be_visible(
        timeout=ACTIVITY_MS
    )

    page.get_by_role("textbox", name="Question").fill("cost by workflow last 7 days")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("status").filter(has_text="Understood as")).to_contain_text(
        "Cost per workflow"
    )
    answer = page.get_by_role("table", name=re.compile("^Answer: Cost per workflow"))
    expect(answer.get_by_role("row", name=re.compile("orders_cleanup"))).to_be_visible()
    page.get_by_text("SQL", exact=True).click()
    expect(page.get_by_text(re.compile(r"WHERE tenant = \$tenant")).first).to_be_visible()

    workflow = successful_workflow(stack, page)
    row = roi_table.get_by_role("row", name=re.compile(rf"^{re.escape(workflow)}\b"))
    expect(row).to_contain_text("$0.00")  # nothing is worth anything until the owner says so
    roi_tile = page.get_by_role("group", name="ROI")
    roi_before = roi_tile.text_content() or ""
    values = page.get_by_role("form", name="Set a value")
    values.get_by_label("Workflow or endpoint").fill(workflow)
    values.get_by_label("Amount (USD)").fill("5")
    values.get_by_role("button", name="Set value").click()
    expect(page.get_by_role("status").filter(has_text="Value set")).to_have_text(
        f"Value set: {workflow} is worth $5.00 per successful run"
    )
    expect(row).to_contain_text(re.compile(r"\$[1-9][\d,]*\.\d\d"))  # its successful runs times $5
    expect(roi_tile).not_to_have_text(roi_before)

    assert serious_accessibility_problems(page) == []
