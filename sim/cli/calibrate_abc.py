"""``calibrate --method abc``: a sample of parameter sets consistent with the observations.

Called by sim/cli/calibrate.py once the scenario and the ``--param`` ranges are checked.
Prints the generations and the sample's fit table; the folder's files are listed in
sim/calibration/abc_writing.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from sim.io.folder import STUDY_FILES

from .app import out
from .fit_display import print_fit_table
from .progress import progress_bar
from .session import SessionOptions, study_session

if TYPE_CHECKING:
    from sim.calibration.abc import AbcSettings
    from sim.calibration.abc_study import AbcResult
    from sim.calibration.fitting import Objective

__all__ = ["calibrate_abc"]


def calibrate_abc(
    objective: Objective,
    name: str,
    settings: AbcSettings,
    out_dir: Path | None,
    options: SessionOptions,
) -> None:
    """Run (or continue) the ABC calibration into ``out_dir`` and print what it found."""
    from sim.calibration.abc import SettingsMismatch
    from sim.calibration.abc_study import abc_study

    names = STUDY_FILES["calibrate-abc"]
    with study_session(out_dir, f"{name}-calibration", names, options) as session:
        if options.force:  # --force starts again rather than continuing
            for stale in session.target.glob("abc_history.db*"):
                stale.unlink()
        workers = options.workers or os.cpu_count() or 1
        with (
            session.executor(
                workers,
                objective.scenario_at([p.value_at(0.5) for p in objective.parameters]),
                runs=settings.max_simulations * objective.replications,
            ) as executor,
            progress_bar(
                f"calibrating {name} (ABC)", settings.generations, options.quiet, "generations"
            ) as advance,
        ):
            try:
                result = abc_study(
                    objective,
                    settings,
                    target=session.target,
                    command=sys.argv,
                    workers=workers if options.scheduler is None else 1,
                    scheduler=options.scheduler,
                    executor=executor,
                    on_generation=lambda _t, _eps: advance(1),
                    on_resumed=advance,
                )
            except SettingsMismatch as error:
                from .app import fail_with

                fail_with(str(error))
        _print(result)
        out.print(f"Parameter sample: {result.sample_path}", markup=False, highlight=False)
        out.print(f"Results in {session.target}/ ({result.seconds:.1f} s)", highlight=False)


def _print(result: AbcResult) -> None:
    """The generations, then the fit table of the sample as a whole."""
    table = Table(title="ABC-SMC generations")
    for column in ("generation", "threshold", "accepted", "simulated", "acceptance", "ESS"):
        table.add_column(column, justify="right")
    for row in result.generations.to_dict("records"):
        threshold = float(row["epsilon"])
        table.add_row(
            str(row["generation"]),
            "prior" if threshold > 1e5 else f"{threshold:.3g}",
            str(row["accepted"]),
            str(row["simulated"]),
            f"{float(row['acceptance_rate']):.0%}",
            f"{float(row['effective_sample_size']):.0f}",
        )
    out.print(table)
    if result.resumed_generations:
        out.print(
            f"Continued from {result.resumed_generations} generation(s) already in the folder."
        )
    print_fit_table(result.table, "Fit of the sample as a whole (a set drawn per replication)")
