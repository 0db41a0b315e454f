"""Driving Studio's pages in a browser: what the browser tests, the screenshot script
(`make screenshots`) and bench/studio.py share, so all three see the pages the same way.

Every helper waits for what a person waits for (a heading, the loading notes gone), never for
implementation details, so a screenshot or a timing is taken of the page as it is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.harness.stack import LocalStack, Login

# axe-core from Studio's devDependencies (`make studio` installs them).
AXE = Path(__file__).resolve().parents[2] / "studio" / "node_modules" / "axe-core" / "axe.min.js"

# Long enough for the first load of the app's chunks from a busy two-core machine.
WAIT_MS = 20_000
FIRST_LOAD_MS = 60_000

# The size screenshots are taken at: a laptop's screen.
VIEWPORT = {"width": 1280, "height": 800}


def studio(stack: LocalStack, path: str = "") -> str:
    return stack.url("AIRLOOM_BUILDER_PORT", f"/studio/{path}")


@contextmanager
def new_page(browser: Browser, *, viewport: dict[str, int] | None = None) -> Iterator[Page]:
    """A tab in a context of its own: nobody is signed in (the token is per tab)."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, login: Login) -> None:
    page.get_by_label("User name").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()


def open_signed_in(page: Page, stack: LocalStack, login: Login, path: str = "workflows") -> None:
    """Studio at ``path`` after signing in there (Studio sends a signed-out person to sign in
    and, once in, back to where they were going)."""
    page.goto(studio(stack, path))
    # A tab's first load fetches the app's entry chunk: on a loaded two-core machine running
    # the whole stack, that alone has taken over 20 s.
    page.get_by_label("User name").wait_for(timeout=FIRST_LOAD_MS)
    sign_in(page, login)
    expect(page.get_by_label("Signed in as")).to_contain_text(login.username)
    settle(page)


def visit(page: Page, stack: LocalStack, path: str) -> None:
    """Another page of Studio in the same tab (the session stays: it lives in the tab)."""
    page.goto(studio(stack, path))
    settle(page)


def settle(page: Page) -> None:
    """Wait until the page reads as loaded: its main heading shown, no 'Loading …' note left."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)


def nodes_shown(page: Page, count: int, timeout_ms: float = WAIT_MS) -> float:
    """Wait until the canvas has drawn ``count`` workflow nodes (React Flow keeps a node hidden
    until it has measured it); the page's milliseconds since navigation start at that frame."""
    drawn = page.wait_for_function(
        """count => {
          const nodes = document.querySelectorAll('.react-flow__node');
          if (nodes.length < count) return false;
          for (const node of nodes) if (node.style.visibility === 'hidden') return false;
          return performance.now();
        }""",
        arg=count,
        timeout=timeout_ms,
    )
    return float(drawn.json_value())


def serious_accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    assert AXE.is_file(), f"{AXE} is missing: run `make studio` to install Studio's packages"
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document)")
    assert results["passes"], "axe-core checked nothing on the page"
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
