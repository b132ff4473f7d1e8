"""report.html in a real headless browser (Debian's chromium) at desktop and phone width.

The page is loaded with a probe script appended (a copy; the report itself has no scripts)
that measures, after layout: whether anything in the main column sticks out to the right
(tables scroll inside themselves, so their cells are not counted), whether the page scrolls
sideways, and where the answer box starts. Headless chromium will not open a window narrower
than 500 px, so for phone width the page's root element is set to 420 px wide (the narrow
styles, below 48rem, apply at both).
"""

from __future__ import annotations

import html as html_text
import json
import re
import subprocess
from pathlib import Path

import pytest
from repo import SMALL, runner

from run_sim import app
from sim.report.build import REPORT_NAME

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

PROBE = """<script>
const width = %(width)s;
if (width) { document.documentElement.style.width = width + 'px'; }
const main = document.querySelector('main'), edge = main.getBoundingClientRect().right;
const limit = width || window.innerWidth;
const over = [];
for (const el of main.querySelectorAll('*')) {
  if (el.closest('table') && el.tagName !== 'TABLE') continue;  // a table scrolls inside
  const box = el.getBoundingClientRect();
  if (box.width > 0 && box.right > edge + 0.5) over.push(el.tagName + ' ' + Math.round(box.right));
}
const answer = document.querySelector('.answer').getBoundingClientRect();
document.body.setAttribute('data-probe', JSON.stringify({
  over: over.slice(0, 5), main: edge, limit: limit,
  page: document.documentElement.scrollWidth, answerTop: answer.top, height: window.innerHeight}));
</script></body>"""


@pytest.fixture(scope="module", params=["run", "compare"])
def report(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layout") / request.param
    args = [request.param, str(SMALL), "--replications", "2", "--workers", "1", "--out", str(out)]
    if request.param == "compare":  # the widest table: a column per variant
        args += ["--variant", "one_officer_per_visit:visits.officers_per_visit=1"]
        args += ["--variant", "twelve_offender_managers:staffing.offender_managers=12"]
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    return out / REPORT_NAME


def _measure(report: Path, window: int, width: int | None) -> dict:
    probe = report.with_name(f"probe-{window}-{width}.html")
    page = report.read_text(encoding="utf-8")
    probe.write_text(page.replace("</body>", PROBE % {"width": width or 0}), encoding="utf-8")
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--proxy-server=127.0.0.1:9",
            f"--window-size={window},900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert found, proc.stdout[-2000:]
    return json.loads(html_text.unescape(found.group(1)))


@pytest.mark.parametrize(("window", "width"), [(1280, None), (500, 420)])
def test_main_column_does_not_overflow_and_the_answer_is_on_the_first_screen(report, window, width):
    probe = _measure(report, window, width)
    assert probe["over"] == [], probe
    assert probe["main"] <= probe["limit"] + 0.5, probe
    assert probe["page"] <= max(probe["limit"], window), probe  # no sideways page scroll
    assert probe["answerTop"] < probe["height"], probe  # the answer starts on screen one
