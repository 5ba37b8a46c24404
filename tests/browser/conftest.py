"""Browser tests: Debian's Chromium driven by Playwright against the real server on localhost.

One server serves the whole session and one browser each module (starting them is most of the run
time); every test opens its own context, so cookies and JavaScript settings never leak between tests.

Where Chromium, Playwright or axe-core are absent the tests skip with the reason; with ``CI=true``
their absence is a failure, because CI always installs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from comments.period import today_in
from tests.servers import free_port, running_server, server_env

ROOT = Path(__file__).resolve().parents[2]
LAW = ROOT / "tests" / "data" / "browser_law.txt"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_CANDIDATES = [
    os.environ.get("AXE_CORE_JS", ""),
    str(ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"),
    "/opt/axe/node_modules/axe-core/axe.min.js",
    "/usr/share/nodejs/axe-core/axe.min.js",
]
ORGANISATION = "某市司法局"
IN_CI = os.environ.get("CI", "").lower() == "true"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def missing(reason: str) -> None:
    """Skip outside CI; fail in CI, where every tool is installed by .ci/run."""
    if IN_CI:
        pytest.fail(f"CI must have it: {reason}")
    pytest.skip(reason)


@dataclass
class Site:
    url: str
    slug: str
    db_url: str
    env: dict[str, str]
    workdir: Path

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "comments", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`comments import` of the law-shaped fixture, then `comments serve` on a free port."""
    workdir = tmp_path_factory.mktemp("site")
    port = free_port()
    db_url = f"sqlite:///{workdir / 'site.db'}"
    env = server_env(
        port,
        db_url,
        COMMENTS_SECRET_KEY="browser-test-secret",
        COMMENTS_RATE_LIMIT_PER_MINUTE="0",
    )
    deadline = (today_in("Asia/Shanghai") + timedelta(days=20)).isoformat()
    site = Site(f"http://127.0.0.1:{port}", "diandongche", db_url, env, workdir)
    slug = site.cli(
        "import",
        str(LAW),
        "--slug",
        "diandongche",
        "--deadline",
        deadline,
        "--organisation",
        ORGANISATION,
    )
    assert slug.strip() == "diandongche"
    with running_server(env, workdir, log=workdir / "serve.log"):
        yield site


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event loop
    running in this thread while it is open, and the anyio tests of later modules need theirs."""
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Open browser contexts (phone or desktop, with or without JavaScript); closed afterwards.

    Every context records the page's console errors and failed requests in ``context.problems``.
    """
    opened: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> Any:
        if viewport == PHONE:
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
            options.setdefault("device_scale_factor", 2)
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        context.set_default_timeout(10_000)
        context.problems = []

        def on_page(page: Any) -> None:
            page.on(
                "console",
                lambda m: context.problems.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: context.problems.append(str(e)))

        context.on("page", on_page)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    missing(
        "axe-core not found: npm install --prefix /opt/axe axe-core "
        "(or set AXE_CORE_JS to axe.min.js)"
    )
    raise AssertionError("unreachable")


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page (WCAG 2.1 A/AA and best practice)."""
    # Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not
    # govern: the page under test keeps its real policy.
    page.evaluate(axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
            return {passes: r.passes.length, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))};
        }"""
    )
    assert result["passes"] > 10, "axe-core ran its rules"
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def shot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot under artifacts/browser/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )
