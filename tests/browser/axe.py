"""axe-core (npm) injected into the page Selenium has open, and its findings made readable."""

from functools import cache

from participation.config import ROOT_DIR

AXE = ROOT_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one main, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}

RUN = """
const [tags, done] = arguments;
axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then((results) => done(results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary,
                                html: n.html.slice(0, 200)})),
  }))))
  .catch((error) => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


@cache
def _source():
    assert AXE.exists(), f"{AXE} is missing: run `npm install` (axe-core is in package.json)"
    return AXE.read_text()


def violations(driver):
    """Run axe on the open page; return its violations (all impacts)."""
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(_source())
    driver.set_script_timeout(60)
    return driver.execute_async_script(RUN, TAGS)


def blocking(found):
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found):
    """One line per violation, then one per element: enough to find and fix it."""
    lines = []
    for violation in found:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"      at {node['target']}: {node['html']}")
            if node["summary"]:
                lines.append("        " + node["summary"].replace("\n", "\n        "))
        if len(violation["nodes"]) > 8:
            lines.append(f"      ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
