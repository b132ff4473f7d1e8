"""Write a SYNTHETIC caseload CSV: a made-up register to show the caseload-file format.

Nothing here is real data. Every row is drawn at random from simple rules (below), the ids
are "SYN-0001" and so on, and the result is shipped as
scenarios/caseloads/synthetic_example.csv for scenarios/synthetic_caseload_example.yaml.
Run from the repository root:

    python scripts/make_synthetic_caseload.py                      # rewrite the shipped file
    python scripts/make_synthetic_caseload.py --out other.csv --size 1000 --seed 7

Rules (a fictional force on its start date; the pre-2017 national visit bands):
* risk level drawn from the mix 2% very high, 15% high, 63% medium, 20% low;
* the last completed visit fell uniformly between 0 and 1.25 visit intervals before the start
  date, so about one in five offenders is overdue (their next visit fell due before the
  start); 3% were registered recently and not yet visited (their first visit is due 0 to 28
  days after the start);
* one row in ten leaves next_visit_due blank: the model then takes last_visit + interval;
* a quarter of the low-risk offenders visited more than a year ago are under reactive
  management (no planned visit);
* the next risk assessment falls due uniformly from 90 days before the start to one
  assessment interval after it;
* notification periods as in the small example (45% indefinite, else 10/7/5/2 years), with a
  uniformly random part already served.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

import numpy as np

LEVELS = ("very_high", "high", "medium", "low")
MIX = (0.02, 0.15, 0.63, 0.20)
VISIT_INTERVAL_DAYS = {"very_high": 30, "high": 91, "medium": 182, "low": 365}
ASSESSMENT_INTERVAL_DAYS = {"very_high": 91, "high": 182, "medium": 365, "low": 365}
PERIOD_YEARS = (None, 10, 7, 5, 2)  # None = indefinite
PERIOD_SHARES = (0.45, 0.20, 0.15, 0.15, 0.05)
COLUMNS = (
    "id",
    "risk_level",
    "last_visit",
    "next_visit_due",
    "next_assessment_due",
    "notification_end",
    "reactive",
)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "scenarios" / "caseloads" / "synthetic_example.csv"


def synthetic_rows(size: int, start: dt.date, seed: int) -> list[dict[str, str]]:
    """The synthetic register, one dict per offender (the CSV's columns)."""
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(1, size + 1):
        level = LEVELS[rng.choice(len(LEVELS), p=MIX)]
        interval = VISIT_INTERVAL_DAYS[level]
        row = {"id": f"SYN-{number:04d}", "risk_level": level, "reactive": ""}
        if rng.random() < 0.03:  # registered recently, not yet visited
            row["last_visit"] = ""
            row["next_visit_due"] = (start + dt.timedelta(int(rng.integers(0, 29)))).isoformat()
        else:
            last = start - dt.timedelta(days=int(rng.integers(0, int(1.25 * interval) + 1)))
            row["last_visit"] = last.isoformat()
            reactive = level == "low" and (start - last).days > 365 and rng.random() < 0.25
            if reactive:
                row["reactive"] = "yes"
                row["next_visit_due"] = ""
            elif rng.random() < 0.10:
                row["next_visit_due"] = ""  # the model takes last_visit + interval
            else:
                row["next_visit_due"] = (last + dt.timedelta(days=interval)).isoformat()
        assessment_interval = ASSESSMENT_INTERVAL_DAYS[level]
        row["next_assessment_due"] = (
            start + dt.timedelta(days=int(rng.integers(-90, assessment_interval + 1)))
        ).isoformat()
        years = PERIOD_YEARS[rng.choice(len(PERIOD_YEARS), p=PERIOD_SHARES)]
        if years is None:
            row["notification_end"] = ""
        else:
            left_days = max(1, int(rng.random() * years * 365.25))
            row["notification_end"] = (start + dt.timedelta(days=left_days)).isoformat()
        rows.append(row)
    return rows


def write_caseload(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 4, 1))
    parser.add_argument("--seed", type=int, default=20240401)
    args = parser.parse_args(argv)
    write_caseload(args.out, synthetic_rows(args.size, args.start, args.seed))
    print(f"wrote {args.size} synthetic offenders to {args.out}")


if __name__ == "__main__":
    main()
