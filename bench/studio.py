"""Studio's canvas in Chromium on the local stack: the first load of the canvas page, and a
500-node workflow against a 5-node one.

Starts the local stack (`airloom up` on free loopback ports, a fresh state folder, serving
studio/dist: run `make studio` first), signs in as the stack's admin in the machine's Chromium
(Playwright, headless; the browser tests' harness and page helpers) and measures:

(a) the canvas page of a workflow made from the customer-churn template, loaded with the
    browser's cache cleared after signing in: bytes transferred (every response body as sent)
    and the JavaScript among them, and that JavaScript gzipped (the budget's measure); time
    from navigation start to every node drawn ("interactive": the graph can be read and
    dragged);
(b) a 500-node workflow (bench/_workflow_designs.py's chains, laid out in a grid) against a
    5-node one, rounds alternating, assets cached: navigation start → all nodes drawn, and
    frames per second while the canvas is panned by mouse drags for two seconds (frames
    counted with requestAnimationFrame in the page).

Prints medians, the 500-node figures' ratios to the 5-node baseline, and the budgets' verdicts:
the canvas route under 400 KB of gzipped JavaScript; 500 nodes pan at 30 frames per second.

    make studio && .venv/bin/python bench/studio.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, Response

from bench._stack import local_stack
from bench._workflow_designs import design
from tests.e2e.stack_api import Builder
from tests.e2e.studio_pages import new_page, nodes_shown, open_signed_in, studio
from tests.e2e.studio_seed import spec_workflow, template_workflow
from tests.harness.browser import chromium
from tests.harness.stack import LocalStack

JS_BUDGET_KB = 400
FPS_BUDGET = 30
PAN_SECONDS = 2.0
FIRST_SCREEN = 20  # fewer nodes than a 1280x800 canvas shows of the 500 at its first zoom
DIST = Path(__file__).resolve().parents[1] / "studio" / "dist" / "index.html"

# A point on the canvas's empty pane nearest its centre: a drag there pans, on a node it would not.
EMPTY_POINT = """() => {
  const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
  const cx = pane.left + pane.width / 2, cy = pane.top + pane.height / 2;
  let best = null;
  for (let y = pane.top + 40; y < pane.bottom - 40; y += 8)
    for (let x = pane.left + 200; x < pane.right - 200; x += 8) {
      const el = document.elementFromPoint(x, y);
      const d = (x - cx) ** 2 + (y - cy) ** 2;
      if (el && el.classList.contains('react-flow__pane') && (!best || d < best[2]))
        best = [x, y, d];
    }
  return best && [best[0], best[1]];
}"""
COUNT_FRAMES = """() => {
  window.__frames = [];
  window.__counting = true;
  const tick = (t) => {
    if (!window.__counting) return;
    window.__frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
STOP_COUNTING = "() => { window.__counting = false; return window.__frames; }"
VIEWPORT = "() => document.querySelector('.react-flow__viewport').style.transform"


def grid(document: dict[str, Any]) -> dict[str, Any]:
    """Positions for the design's nodes: each five-node chain on a row, 25 rows a column."""
    for index, node in enumerate(document["nodes"]):
        chain, step = divmod(index, 5)
        column, row = divmod(chain, 25)
        node["ui"] = {"x": column * 1300 + step * 250, "y": row * 140}
    return document


def initial_load(page: Page, stack: LocalStack, path: str, nodes: int) -> dict[str, float]:
    """The canvas page reloaded with an empty cache: bytes and time to its nodes drawn."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: list[Response] = []

    def collect(response: Response) -> None:
        responses.append(response)

    page.on("response", collect)
    try:
        page.goto(studio(stack, path))
        drawn = nodes_shown(page, nodes)
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("response", collect)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    body = js = js_gzip = 0
    for response in responses:
        size = response.request.sizes()["responseBodySize"]
        body += size
        if response.url.endswith(".js"):
            js += size
            js_gzip += len(gzip.compress(response.body(), compresslevel=6))
    return {"ms": drawn, "bytes": body, "js": js, "js_gzip": js_gzip}


def render_and_pan(page: Page, stack: LocalStack, path: str, nodes: int) -> dict[str, float]:
    """Navigation start → all nodes drawn (assets cached), then frames per second panning."""
    page.goto(studio(stack, path))
    # React Flow draws every node in one go, unless it is told to draw only those in view:
    # the first screenful, all shown, is the same moment either way.
    drawn = nodes_shown(page, min(nodes, FIRST_SCREEN))
    in_dom = page.evaluate("() => document.querySelectorAll('.react-flow__node').length")
    page.wait_for_timeout(300)  # fit view's own animation frames are not the pan's
    point = page.evaluate(EMPTY_POINT)
    if point is None:
        sys.exit(f"no empty spot on the canvas of {path} to drag")
    x, y = point
    before = page.evaluate(VIEWPORT)
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate(COUNT_FRAMES)
    started = time.perf_counter()
    moves = 0
    while (elapsed := time.perf_counter() - started) < PAN_SECONDS:
        # Back and forth, 150 px each way every half second: a person dragging to look around.
        phase = (elapsed * 2) % 2
        offset = 150 * (phase if phase < 1 else 2 - phase)
        page.mouse.move(x - 75 + offset, y + offset / 5)
        moves += 1
        time.sleep(0.008)
    frames = page.evaluate(STOP_COUNTING)
    page.mouse.up()
    if page.evaluate(VIEWPORT) == before:
        sys.exit(f"dragging did not pan the canvas of {path}")
    gaps = [later - earlier for earlier, later in itertools.pairwise(frames)]
    fps = 1000 * len(gaps) / (frames[-1] - frames[0]) if len(gaps) > 1 else 0.0
    worst = max(gaps, default=0.0)
    return {"ms": drawn, "fps": fps, "worst_frame_ms": worst, "moves": moves, "in_dom": in_dom}


def measure(stack: LocalStack, rounds: int) -> None:
    builder = Builder(stack, stack.credentials["builder_token"])
    churn = template_workflow(builder, "bench_customer_churn")
    churn_nodes = len(builder.data(
        "query($id: ID!) { workflow(id: $id) { version(number: 1) { spec } } }", id=churn
    )["workflow"]["version"]["spec"]["nodes"])  # fmt: skip
    sizes = {count: grid(design(f"bench_canvas_{count}", count)) for count in (5, 500)}
    problems = builder.problems(sizes[500])
    if problems:
        sys.exit(f"the 500-node design is invalid: {problems[:3]}")
    ids = {count: spec_workflow(builder, document) for count, document in sizes.items()}
    loads: list[dict[str, float]] = []
    runs: dict[int, list[dict[str, float]]] = {5: [], 500: []}
    with chromium() as browser, new_page(browser) as page:
        open_signed_in(page, stack, stack.studio_login(), f"workflows/{churn}")
        for number in range(rounds):
            loads.append(initial_load(page, stack, f"workflows/{churn}", churn_nodes))
            order = (5, 500) if number % 2 == 0 else (500, 5)
            for count in order:
                figures = render_and_pan(page, stack, f"workflows/{ids[count]}", count)
                runs[count].append(figures)
                print(f"round {number + 1} {count:>3} nodes ({figures['in_dom']:.0f} in the "
                      f"page): drawn in {figures['ms']:7.0f} ms,"
                      f" pan {figures['fps']:5.1f} fps (worst frame "
                      f"{figures['worst_frame_ms']:.0f} ms)", flush=True)  # fmt: skip
    report(loads, runs, churn_nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not DIST.is_file():
        sys.exit(f"{DIST} is missing: run `make studio` first")
    with local_stack() as env:
        measure(LocalStack(env), args.rounds)


def report(loads: list[dict[str, float]], runs: dict[int, list[dict]], churn_nodes: int) -> None:
    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    js_kb = median(loads, "js_gzip") / 1024
    print(f"\n(a) canvas page, first load with an empty cache ({churn_nodes}-node template), "
          f"median of {len(loads)}")  # fmt: skip
    print(f"  {'bytes transferred (response bodies as sent)':<52}"
          f"{median(loads, 'bytes') / 1024:8.0f} KB")  # fmt: skip
    js = median(loads, "js") / 1024
    print(f"  {'of which JavaScript':<52}{js:8.0f} KB ({js_kb:.0f} KB gzipped at level 6)")
    print(f"  {'navigation start -> every node drawn':<52}{median(loads, 'ms'):8.0f} ms")
    print(f"  budget: canvas route JavaScript under {JS_BUDGET_KB} KB gzipped: "
          f"{'meets' if js_kb < JS_BUDGET_KB else 'MISSES'} ({js_kb:.0f} KB)")  # fmt: skip
    small, large = runs[5], runs[500]
    print(f"\n(b) 500 nodes against 5, assets cached, median of {len(small)} rounds")
    for key, label, unit in (("ms", "navigation start -> all nodes drawn", "ms"),
                             ("fps", "frames per second while panning", "fps"),
                             ("worst_frame_ms", "worst frame while panning", "ms")):  # fmt: skip
        base, big = median(small, key), median(large, key)
        ratio = big / base if base else float("nan")
        print(f"  {label:<38} 5: {base:7.1f} {unit:<3}  500: {big:7.1f} {unit:<3}  "
              f"ratio {ratio:.2f}")  # fmt: skip
    fps = median(large, "fps")
    print(f"  budget: 500 nodes pan at {FPS_BUDGET} fps or more: "
          f"{'meets' if fps >= FPS_BUDGET else 'MISSES'} ({fps:.1f} fps)")  # fmt: skip


if __name__ == "__main__":
    main()
