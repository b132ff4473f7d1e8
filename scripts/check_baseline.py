"""Check the shipped baseline against the force's reported figures (issue #3's table).

Runs scenarios/avon_somerset_2023.yaml with 50 replications (the acceptance test; about a
minute on one core), prints the table and exits with code 1 if any figure is outside its
tolerance. The criteria are written here, separately from the scenario's own
``observations:``, so loosening the scenario file cannot make the check pass.

    python scripts/check_baseline.py                    # 50 replications
    python scripts/check_baseline.py --replications 10 --markdown
    python scripts/check_baseline.py --parameters scenarios/samples/avon_somerset_2023.csv

With ``--parameters`` each replication runs one parameter set of the shipped ABC sample
(drawn by weight, as ``run --parameters`` does), so the table checks the sample as a whole.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.analysis.metrics import trajectories  # noqa: E402
from sim.calibration.fit_table import fit_table  # noqa: E402
from sim.experiments.batch import run_replications  # noqa: E402
from sim.experiments.executors import make_executor  # noqa: E402
from sim.scenario.file import load_scenario  # noqa: E402
from sim.scenario.observations import Observation  # noqa: E402

BASELINE = ROOT / "scenarios" / "avon_somerset_2023.yaml"
NOVEMBER = {"from_date": "2023-11-01", "date": "2023-11-30"}
# (label, observation): the table, read from ../shared/domain/FACTS.md
ACCEPTANCE = [
    (
        "overdue visits, mid-January 2024",
        {
            "metric": "overdue_visits",
            "date": "2024-01-17",
            "value": 273,
            "tolerance": {"relative": 0.15, "interval": True},
        },
    ),
    (
        "overdue risk assessments, mid-January 2024",
        {"metric": "overdue_assessments", "date": "2024-01-17", "value": 148, "tolerance": 0.15},
    ),
    (
        "offenders managed, January 2024",
        {"metric": "population", "date": "2024-01-17", "value": 1500, "tolerance": 0.05},
    ),
    (
        "visit attempts, November 2023",
        {"metric": "visit_attempts", **NOVEMBER, "value": 500, "tolerance": 0.15},
    ),
    (
        "share of attempts finding the offender in, Nov 2023",
        {
            "metric": "visits_completed / visit_attempts",
            **NOVEMBER,
            "value": 340 / 500,
            "tolerance": {"absolute": 0.05},
        },
    ),
    (
        "police actions, November 2023",
        {"metric": "police_actions", **NOVEMBER, "value": 100, "tolerance": 0.20},
    ),
    (
        "high and very high risk overdue visits, worst day of the run",
        {
            "metric": "overdue_visits_very_high + overdue_visits_high",
            "from_date": "2023-03-01",
            "date": "2024-01-31",
            "value": 0,
            "tolerance": {"absolute": 10},
        },
    ),
]


def acceptance_table(
    replications: int, workers: int | None = 1, parameters: Path | None = None
):
    """The issue's table for the shipped baseline: a DataFrame with a 'figure' column.

    ``workers`` local processes (None: every core); the result is the same for any number.
    ``parameters``: a parameter sample (each replication runs one of its sets).
    """
    scenario = load_scenario(BASELINE)
    if parameters is not None:
        scenario = scenario.model_copy(update={"parameter_sample": str(parameters.resolve())})
    with make_executor(workers) as executor:
        records = run_replications(scenario, replications, executor=executor)
    frame = trajectories(records, scenario.start_date)
    observations = [Observation.model_validate(spec) for _, spec in ACCEPTANCE]
    table = fit_table(observations, frame)
    table.insert(0, "figure", [label for label, _ in ACCEPTANCE])
    return table


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 2 and value != round(value) else f"{value:,.0f}"


def markdown(table, replications: int) -> str:
    lines = [
        "| figure | observed | simulated mean | 90% of runs | tolerance | within |",
        "| --- | ---: | ---: | ---: | --- | :---: |",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.figure} | {_fmt(row.observed)} | {_fmt(row.simulated_mean)} | "
            f"{_fmt(row.simulated_p5)} - {_fmt(row.simulated_p95)} | {row.tolerance} | "
            f"{'yes' if row.within else '**no**'} |"
        )
    lines.append(f"\n({replications} replications of scenarios/avon_somerset_2023.yaml)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    parser.add_argument(
        "--parameters", type=Path, help="a parameter sample (calibrate --method abc)"
    )
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    table = acceptance_table(args.replications, args.workers, args.parameters)
    if args.markdown:
        print(markdown(table, args.replications))
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(
                table[
                    [
                        "figure",
                        "observed",
                        "simulated_mean",
                        "simulated_p5",
                        "simulated_p95",
                        "tolerance",
                        "within",
                    ]
                ].to_string(index=False, float_format=lambda v: _fmt(v))
            )
    missed = int((~table["within"]).sum())
    verdict = "all figures within tolerance" if not missed else f"{missed} figure(s) OUTSIDE"
    print(f"{verdict} ({args.replications} replications, {time.perf_counter() - clock:.0f} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
