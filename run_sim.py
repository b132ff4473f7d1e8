"""Command line for the offender-visit simulation.

    python run_sim.py validate scenarios/avon_somerset_2023.yaml
    python run_sim.py run scenarios/avon_somerset_2023.yaml --replications 10

The commands live in ``sim/cli/`` (one module each); this file only starts them.
Bad input exits with code 2 and a list of problems (file, field, given, allowed).
"""

from __future__ import annotations

import sys

try:
    from sim.cli import app
except KeyboardInterrupt:  # Ctrl-C while Python was still loading: nothing has run
    if __name__ == "__main__":  # not in a worker process, which imports this file too
        print("Interrupted before anything ran; nothing was saved.", file=sys.stderr)
    sys.exit(130)
except ModuleNotFoundError as missing:  # a clear word instead of a traceback
    if not (missing.name or "").startswith("sim"):
        sys.exit(
            f"run_sim.py needs the package '{missing.name}', which this Python does not have.\n"
            "Install the tool first (see README.md): pip install -e ."
        )
    raise

if __name__ == "__main__":
    app()
