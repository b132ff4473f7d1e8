"""report.html: every section present, nothing fetched from outside, readable without the charts.

The report is read by chief officers, often offline or from an e-mail attachment, and by people
using screen readers. So the tests parse the HTML and check: every section is there; no
resource comes from outside the file (no http(s) src or href, no @import, no url() to a
server, no scripts, no web fonts); every chart is an embedded PNG with alt text; every table
has a caption and scoped headers; the numbers are the run's numbers, rounded for people.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from repo import SMALL, runner

from run_sim import app
from sim.format import human_date, human_number, human_range, human_share
from sim.report.build import REPORT_NAME, SECTION_IDS, build_report

CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Collects what the tests look at: tags with attributes, section ids, table structure."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self.tables: list[dict] = []
        self._in_style = False
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "style":
            self._in_style = True
        if tag == "table":
            self.tables.append({"caption": False, "th": [], "cells": [], "class": attributes})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag == "th" and self.tables:
            self.tables[-1]["th"].append(attributes.get("scope"))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def find(self, tag: str) -> list[dict]:
        return [attributes for name, attributes in self.tags if name == tag]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "small"
    result = runner.invoke(
        app, ["run", str(SMALL), "--replications", "3", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def html(run_dir) -> str:
    return (run_dir / REPORT_NAME).read_text(encoding="utf-8")


def test_run_writes_the_report_and_names_it(run_dir):
    assert (run_dir / REPORT_NAME).is_file()


def test_every_section_is_present_with_a_heading(html):
    page = Page(html)
    sections = [attributes.get("id") for attributes in page.find("section")]
    assert sections == list(SECTION_IDS)
    for anchor in SECTION_IDS:
        assert f'href="#{anchor}"' in html  # listed in the contents
        assert f'id="{anchor}-h"' in html  # and has its heading


def test_nothing_is_fetched_from_outside_the_file(html):
    page = Page(html)
    for tag, attributes in page.tags:
        for name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href"):
            value = (attributes.get(name) or "").strip()
            assert not value or value.startswith(("#", "data:")), (tag, name, value[:80])
    assert page.find("script") == [] and page.find("link") == [] and page.find("iframe") == []
    css = "\n".join(page.styles)
    assert "@import" not in css and "@font-face" not in css
    assert re.findall(r"url\(\s*['\"]?(?!data:|#)", css) == []
    # and, for this shipped scenario, no web address anywhere at all
    assert "http://" not in html and "https://" not in html


def test_every_chart_is_an_embedded_png_with_alt_text(html):
    images = Page(html).find("img")
    assert len(images) >= 5  # backlog, activity, utilisation, assessments, escalations
    for image in images:
        assert image["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(image["src"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(image.get("alt", "")) > 40, image.get("alt")
        assert "table" in image["alt"]  # points the reader to the same numbers


def test_tables_are_readable_without_the_charts(html):
    page = Page(html)
    assert ("html", {"lang": "en"}) in page.tags
    assert len(page.tables) >= 10
    for table in page.tables:
        assert table["caption"], "every table needs a caption"
        assert table["th"] and all(scope in ("col", "row", "colgroup") for scope in table["th"])


def test_numbers_in_result_tables_are_rounded_for_people(html):
    # Result tables show whole numbers, one decimal below 10, or whole percentages; the
    # assumptions tables are the scenario's own values and are left as written.
    page = Page(html)
    results_tables = [t for t in page.tables if t["class"].get("class") != "assumptions"]
    for table in results_tables[:6]:
        for cell in table["cells"]:
            assert not re.search(r"\d\.\d\d", cell), cell


def test_headline_gives_the_runs_own_numbers_at_the_start_and_end(run_dir, html):
    frame = pd.read_csv(run_dir / "trajectories.csv")
    first = frame[frame["day"] == 0]["overdue_visits"]
    last = frame[frame["day"] == frame["day"].max()]["overdue_visits"]
    start_date = pd.Timestamp(frame["date"].iloc[0]).date()
    end_date = pd.Timestamp(frame["date"].max()).date()
    expected = (
        f"Overdue visits go from {human_number(first.mean())} on {human_date(start_date)} to "
        f"{human_number(last.mean())} on {human_date(end_date)} (mean of 3 runs; 90% of runs: "
        f"{human_range(last.quantile(0.05), last.quantile(0.95))})."
    )
    assert expected in html.replace("&#39;", "'")
    # the small example runs 120 days: neither 6 nor 12 months is reached, and the report
    # says so and how to look further instead of extrapolating
    assert "cannot show the backlog in 6 months" in html and "or in 12 months" in html
    assert "--set horizon_days=" in html


def test_utilisation_is_hours_used_over_hours_available(run_dir, html):
    summary = pd.read_csv(run_dir / "summary.csv")
    end = summary[summary["period"] == "end"].set_index("metric")["mean"]
    share = end["officer_hours_used"] / end["officer_hours_available"]
    assert f"casework: {human_share(share)} over the whole run" in html


def test_assumptions_table_lists_the_resolved_scenario(run_dir, html):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    staffing = manifest["scenario"]["staffing"]
    page = Page(html)
    cells = [c for t in page.tables if t["class"].get("class") == "assumptions" for c in t["cells"]]
    row = cells.index("staffing.offender_managers")
    assert cells[row + 1] == str(staffing["offender_managers"])
    assert cells[row + 2] == "officers"  # the unit, from the schema
    # a default the file did not spell out is still listed (resolved scenario)
    assert "staffing.shift_start_hour" in cells
    assert "triangular: least 0.5, most likely 1, most 2 (mean 1.17)" in cells  # travel


def test_model_description_follows_stress_des(html):
    for heading in (
        "1. Objectives",
        "2. Logic",
        "3. Data",
        "4. Experimentation",
        "5. Implementation",
        "6. Code access",
    ):
        assert f"<caption>{heading}</caption>" in html
    assert "<svg" in html and 'role="img"' in html and "<desc" in html


@pytest.fixture(scope="module")
def enriched(run_dir, tmp_path_factory) -> str:
    """The run's report with a calibration.csv added (columns as `run` writes it when the
    scenario lists observations), built once for the test below."""
    folder = tmp_path_factory.mktemp("enriched") / "run"
    shutil.copytree(run_dir, folder)
    pd.DataFrame(
        {
            "metric": ["overdue_visits", "visits_completed / visit_attempts"],
            "period": ["2024-05-15", "2024-05-01 to 2024-05-31"],
            "observed": [31, 0.68],
            "tolerance": ["mean within 15%", "mean within 0.05"],
            "simulated_mean": [25.0, 0.66],
            "simulated_p5": [20.0, 0.6],
            "simulated_p95": [30.0, 0.7],
            "interval_covers": [False, True],
            "mean_within": [False, True],
            "within": [False, True],
        }
    ).to_csv(folder / "calibration.csv", index=False)
    return build_report(folder)


def test_observed_figures_are_drawn_and_tabled(enriched):
    cells = [c for t in Page(enriched).tables for c in t["cells"]]
    # the point figure is plotted (alt text) and both figures are in the table, a ratio as a
    # percentage to a tenth (as the fit table the commands print shows it)
    assert "Black diamonds mark 1 reported figure." in enriched
    assert "31" in cells and "68.0%" in cells and "66.0%" in cells and "60.0% to 70.0%" in cells
    assert "no" in cells and "yes" in cells


def _comparison_rows(outcome, means, differences, lows, highs, significant):
    names = ["two officers", "mixed", "one officer"]
    return [
        {
            "outcome": outcome,
            "variant": name,
            "mean": mean,
            "ci95_low": mean - 5,
            "ci95_high": mean + 5,
            "difference": difference,
            "difference_ci95_low": low,
            "difference_ci95_high": high,
            "significant": sig,
            "replications": 10,
        }
        for name, mean, difference, low, high, sig in zip(
            names, means, differences, lows, highs, significant, strict=True
        )
    ]


@pytest.fixture(scope="module")
def comparison_html(run_dir, tmp_path_factory) -> str:
    """A folder as `compare` writes it (comparison.csv, comparison.png, manifest.json with
    every variant's scenario), with numbers chosen so the expected cells are known."""
    folder = tmp_path_factory.mktemp("compare") / "cmp"
    folder.mkdir()
    scenario = json.loads((run_dir / "manifest.json").read_text())["scenario"]
    one = json.loads(json.dumps(scenario))
    one["visits"]["officers_per_visit"] = {lv: 1 for lv in ("very_high", "high", "medium", "low")}
    mixed = json.loads(json.dumps(one))
    mixed["visits"]["officers_per_visit"].update(very_high=2, high=2)
    nan = float("nan")
    rows = (
        _comparison_rows(
            "overdue_visits_end",
            [190.0, 150.0, 120.4],
            [0.0, -40.0, -69.6],
            [nan, -55.0, -80.2],
            [nan, -25.0, -60.1],
            [False, True, True],
        )
        + _comparison_rows(
            "lone_visit_attempts_total",
            [0.0, 800.0, 1500.0],
            [0.0, 800.0, 1500.0],
            [nan, 760.0, 1450.0],
            [nan, 840.0, 1550.0],
            [False, True, True],
        )
        + _comparison_rows(
            "officer_hours_used_total",
            [3000.0, 2500.0, 2000.0],
            [0.0, -500.0, -1000.0],
            [nan, -520.0, -1030.0],
            [nan, -480.0, -970.0],
            [False, True, True],
        )
        + _comparison_rows(
            "officer_hours_available_total",
            [2500.0] * 3,
            [0.0] * 3,
            [nan, 0.0, 0.0],
            [nan, 0.0, 0.0],
            [False] * 3,
        )
    )
    pd.DataFrame(rows).to_csv(folder / "comparison.csv", index=False)
    shutil.copy(run_dir / "backlog.png", folder / "comparison.png")
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "tool": "offender-visit-sim",
                "study": "compare",
                "common_random_numbers": True,
                "replications": 10,
                "reference_variant": "two officers",
                "variants": {"two officers": scenario, "mixed": mixed, "one officer": one},
                "command": ["run_sim.py", "compare", "scenarios/small_example.yaml"],
            }
        )
    )
    return build_report(folder)


def test_comparison_report_has_every_section(comparison_html):
    page = Page(comparison_html)
    assert [a.get("id") for a in page.find("section")] == list(SECTION_IDS)
    for table in page.tables:
        assert table["caption"] and all(s in ("col", "row", "colgroup") for s in table["th"])
    for image in page.find("img"):
        assert image["src"].startswith("data:image/png;base64,") and len(image["alt"]) > 40
    assert "http://" not in comparison_html and "https://" not in comparison_html


def test_comparison_report_shows_paired_differences(comparison_html):
    cells = [c for t in Page(comparison_html).tables for c in t["cells"]]
    # the change against the reference, its interval and whether the interval excludes 0
    assert "-70 (-80 to -60), clear" in cells and "-40 (-55 to -25), clear" in cells
    assert "+1,500 (1,450 to 1,550), clear" in cells  # lone-officer attempts rise
    assert "reference" in cells
    # utilisation per variant is hours used over hours available: 2,000 / 2,500
    assert "80%" in cells and "120%" in cells
    assert "<strong>two officers</strong>" in comparison_html


def test_comparison_report_lists_what_each_variant_changes(comparison_html):
    cells = [c for t in Page(comparison_html).tables for c in t["cells"]]
    # mixed keeps two officers for very high and high risk, one for medium and low
    rows = [
        cells[i : i + 4]
        for i in range(len(cells) - 3)
        if cells[i] in ("mixed", "one officer") and cells[i + 1] == "visits.officers_per_visit"
    ]
    assert rows == [
        [
            "mixed",
            "visits.officers_per_visit",
            "very high 2 · high 2 · medium 2 · low 2",
            "very high 2 · high 2 · medium 1 · low 1",
        ],
        [
            "one officer",
            "visits.officers_per_visit",
            "very high 2 · high 2 · medium 2 · low 2",
            "very high 1 · high 1 · medium 1 · low 1",
        ],
    ]


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target)
    (target / REPORT_NAME).unlink()
    return target


def test_scenario_text_cannot_inject_markup(run_dir, tmp_path):
    folder = _copy(run_dir, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["scenario"]["description"] = "<script>alert(1)</script>"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = build_report(folder)
    assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize("make", ["missing", "empty", "no manifest"])
def test_report_command_explains_a_folder_it_cannot_use(tmp_path, make, run_dir):
    folder = tmp_path / "results"
    if make == "empty":
        folder.mkdir()
    if make == "no manifest":
        shutil.copytree(run_dir, folder)
        (folder / "manifest.json").unlink()
        (folder / REPORT_NAME).unlink()
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    assert "python run_sim.py run" in result.output and "Traceback" not in result.output
    assert not (folder / REPORT_NAME).exists()


def test_report_command_rebuilds_the_same_report(run_dir, html, tmp_path):
    folder = _copy(run_dir, tmp_path)
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    rebuilt = (folder / REPORT_NAME).read_text(encoding="utf-8")
    # identical apart from the folder name it mentions
    assert rebuilt.replace(str(folder), "DIR") == html.replace(str(run_dir), "DIR")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package)")
def test_report_opens_in_a_headless_browser_without_network(html, run_dir):
    # --proxy-server to a closed port: any attempt to reach the network would fail, and the
    # page must still render every section (its DOM after load is what we read back).
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=5000",
            "--dump-dom",
            (run_dir / REPORT_NAME).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Page(proc.stdout)
    assert [a.get("id") for a in dom.find("section")] == list(SECTION_IDS)
    assert len(dom.find("img")) == len(Page(html).find("img"))


def test_distributions_with_a_mean_are_described_and_saved_as_written(tmp_path):
    # exponential and lognormal take `mean` in a scenario file; the manifest keeps that
    # spelling (so its scenario is still a valid file for editors) and the report says it
    out = tmp_path / "dists"
    result = runner.invoke(
        app,
        [
            "run",
            str(SMALL),
            "--replications",
            "1",
            "--out",
            str(out),
            "--quiet",
            "--set",
            "visits.travel_hours={dist: lognormal, mean: 1.5, sd: 0.5}",
            "--set",
            "visits.retry_delay_days={dist: exponential, mean: 4}",
        ],
    )
    assert result.exit_code == 0, result.output
    visits = json.loads((out / "manifest.json").read_text())["scenario"]["visits"]
    assert visits["travel_hours"] == {"dist": "lognormal", "mean": 1.5, "sd": 0.5}
    text = (out / REPORT_NAME).read_text()
    assert "lognormal, mean 1.5, sd 0.5" in text and "exponential, mean 4" in text


def test_the_observed_section_embeds_calibration_png_when_the_run_drew_it(run_dir, tmp_path):
    # audit: "Observed and simulated" had a table only, calibration.png was left out
    import base64

    folder = tmp_path / "run"
    shutil.copytree(run_dir, folder)
    pd.DataFrame(
        {
            "metric": ["overdue_visits"],
            "period": ["2024-05-15"],
            "observed": [31],
            "tolerance": ["mean within 15%"],
            "simulated_mean": [25.0],
            "simulated_p5": [20.0],
            "simulated_p95": [30.0],
            "within": [False],
        }
    ).to_csv(folder / "calibration.csv", index=False)
    without = build_report(folder)
    picture = b"\x89PNG\r\n\x1a\n not a real picture, only its bytes are embedded"
    (folder / "calibration.png").write_bytes(picture)
    with_picture = build_report(folder)
    uri = "data:image/png;base64," + base64.b64encode(picture).decode("ascii")
    assert uri not in without and uri in with_picture
    observed = with_picture[with_picture.index('id="observed"') :]
    assert observed.index(uri) < observed.index("</section>")
