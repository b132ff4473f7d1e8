"""Large but otherwise legal inputs are refused quickly, before they cost minutes and gigabytes
(red-team finding 13): a file over 1 MB, a description over 2,000 characters (it is drawn as a
figure title), more than 500 observations."""

from __future__ import annotations

import time

from repo import SMALL, runner

from run_sim import app


def _refused_quickly(tmp_path, text: str, expected: str) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(text)
    started = time.monotonic()
    result = runner.invoke(app, ["validate", str(path)])
    assert time.monotonic() - started < 60
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    flow = "foo: [" + ",".join("1" for _ in range(600_000)) + "]\n"
    _refused_quickly(tmp_path, SMALL.read_text() + flow, "larger than 1000000 bytes")


def test_a_long_description_is_refused(tmp_path):
    text = SMALL.read_text().replace(
        "description: Small fictional force, used for quick runs and tests.",
        "description: " + "A" * 5_000,
    )
    _refused_quickly(tmp_path, text, "description")


def test_too_many_observations_are_refused(tmp_path):
    rows = "".join("  - {metric: overdue_visits, date: 2024-05-01, value: 3}\n" for _ in range(600))
    _refused_quickly(tmp_path, SMALL.read_text() + "observations:\n" + rows, "observations")
