"""Debian's Chromium driven by Playwright for Python, and what the tests
measure in it: sideways overflow and axe-core's verdict.

Playwright never downloads a browser here (no ``playwright install``): it
launches ``/usr/bin/chromium`` from Debian's package (``make tools``).
axe-core comes from npm, installed by ``make test`` (``npm ci`` in this
folder, locked in package-lock.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests import environment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = environment.program("chromium")
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# The machine reaches no host but the package registries: Chromium must not
# try to phone home (updates, sync, field trials) at start.
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    phone: bool

    def context_options(self) -> dict[str, Any]:
        # A phone honours <meta name="viewport"> and has touch; a desktop
        # browser does neither.
        return {
            "viewport": {"width": self.width, "height": self.height},
            "is_mobile": self.phone,
            "has_touch": self.phone,
        }


DESKTOP = Screen("desktop", 1366, 768, phone=False)
PHONE = Screen("phone", 390, 844, phone=True)
SCREENS = (DESKTOP, PHONE)


def missing_chromium() -> str:
    return environment.missing(
        "Debian's chromium", how="make tools, or apt-get install chromium"
    )


def missing_axe() -> str:
    return environment.missing(
        "axe-core from npm",
        how=f"make test runs npm ci in tests/browser; not found at {AXE}",
    )


def new_context(
    browser: Browser, screen: Screen, *, bypass_csp: bool = False
) -> BrowserContext:
    context = browser.new_context(**screen.context_options(), bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    return context


# Elements whose right edge lies past the viewport, outermost first: what
# makes a page scroll sideways, named so that a failure says where to look.
# Inside a box that scrolls or clips sideways itself (the sections bar) an
# element is not counted: the box keeps it off the page.
_SIDEWAYS = """
(width) => {
  const clips = (el) => {
    const overflow = getComputedStyle(el).overflowX;
    return overflow !== "visible";
  };
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    for (const cls of el.classList) text += "." + cls;
    return text;
  };
  const found = [];
  const walk = (el, path) => {
    for (const child of el.children) {
      const box = child.getBoundingClientRect();
      const here = path.concat(name(child));
      if (box.width > 0 && Math.round(box.right) > width) {
        found.push(`${here.slice(-3).join(" > ")} (right edge ${Math.round(box.right)} px, ${Math.round(box.width)} px wide)`);
        continue;
      }
      if (!clips(child)) walk(child, here);
    }
  };
  walk(document.body, ["body"]);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: found.slice(0, 8),
  };
}
"""


@dataclass(frozen=True)
class Sideways:
    scroll_width: int
    inner_width: int
    offenders: list[str]

    @property
    def scrolls(self) -> bool:
        return self.scroll_width > self.inner_width


def sideways(page: Page, screen: Screen) -> Sideways:
    """How far the page reaches past the screen's width."""
    found = page.evaluate(_SIDEWAYS, screen.width)
    # innerWidth is the visual viewport: a phone zooms out to show a page
    # wider than itself and then reports the wider width, so the screen's
    # own width is the bound as well.
    return Sideways(
        scroll_width=found["scrollWidth"],
        inner_width=min(found["innerWidth"], screen.width),
        offenders=found["offenders"],
    )


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded (WCAG 2.x A and AA and
    axe's best practices: its defaults)."""
    page.add_script_tag(content=axe_source)
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe's violations as a person reads them: rule, impact, what to fix,
    and the first few elements with axe's summary for each."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" [{len(nodes)} element{'s' if len(nodes) != 1 else ''}]"
            f" {violation['helpUrl']}"
        )
        for node in nodes[:3]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary[:300]}")
        if len(nodes) > 3:
            lines.append(f"    … and {len(nodes) - 3} more")
    return "\n".join(lines)


def load_every_picture(page: Page) -> None:
    """Lazy pictures below the fold load now, so a full-page screenshot
    shows them."""
    page.evaluate(
        """async () => {
          for (const img of document.querySelectorAll('img[loading="lazy"]')) {
            img.loading = "eager";
          }
          await Promise.all(Array.from(document.images, (img) => img.complete
            ? null
            : new Promise((done) => { img.onload = img.onerror = done; })));
        }"""
    )


def screenshot_path(name: str) -> Path:
    return SCREENSHOTS / f"{name}.png"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = screenshot_path(name)
    load_every_picture(page)
    page.screenshot(path=str(path), full_page=True)
    return path
