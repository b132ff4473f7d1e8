"""Text a user supplies is inert wherever it is printed or drawn (red-team findings 6 and 7).

Rich reads ``[...]`` as markup and matplotlib reads ``$...$`` as mathematics: a value, a path
or a description holding either must be shown as typed, never crash the printer or the figure.
"""

from __future__ import annotations

import shutil

from repo import SMALL, runner

from run_sim import app
from sim.io.folder import is_complete

INJECTION = "[blink red]WARNING[/blink red] [link=http://evil.example]click[/link]"


def test_markup_in_a_bad_value_is_shown_as_given():
    for value in ("[/]", "[/bold]", INJECTION):
        result = runner.invoke(app, ["validate", str(SMALL), "--set", f"priority={value!r}"])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and result.exception is not None
        assert f"given: {value!r}" in result.output


def test_a_valid_scenario_under_a_path_with_markup_validates_and_runs(tmp_path):
    folder = tmp_path / "runs[/]"
    folder.mkdir(parents=True)
    shutil.copy(SMALL, folder / "s.yaml")
    result = runner.invoke(app, ["validate", str(folder / "s.yaml")])
    assert result.exit_code == 0, result.output
    assert f"OK {folder / 's.yaml'}" in result.output
    out = tmp_path / "x[/]y"
    args = ["run", str(folder / "s.yaml"), "--replications", "2", "--workers", "1"]
    result = runner.invoke(app, [*args, "--no-report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Results in {out}/" in result.output


def test_the_tools_own_bracketed_words_survive_in_errors():
    result = runner.invoke(app, ["validate", str(SMALL), "--set", "horizon_days=[1, 2]"])
    assert result.exit_code == 2 and "[1, 2]" in result.output


def test_a_description_with_dollar_signs_draws_as_text(tmp_path):
    out = tmp_path / "mt"
    base = ["run", str(SMALL), "--replications", "2", "--workers", "1", "--quiet"]
    assert runner.invoke(app, [*base, "--out", str(out)]).exit_code == 0
    for description in (r"Budget $\frac{$ per visit", "x $_$ y", "$$"):
        result = runner.invoke(
            app, [*base, "--out", str(out), "--set", f"description={description}"]
        )
        assert result.exit_code == 0, result.output
        assert is_complete(out) and (out / "report.html").is_file()


def test_a_comparison_titled_with_dollar_signs_draws(tmp_path):
    args = [
        "compare",
        str(SMALL),
        "--set",
        r"description=x $\frac{$ y",
        "--variant",
        "a:staffing.sergeants=2",
        "--replications",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "cm"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
