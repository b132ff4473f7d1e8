"""`app`: start the local web app (Streamlit), bound to this machine only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from .app import WorkersOption, app, err, fail_with, out

__all__ = ["HOST", "SCRIPT", "app_command", "streamlit_command"]

HOST = "127.0.0.1"  # never another address: the caseload stays on this machine
SCRIPT = Path(__file__).resolve().parents[1] / "webapp" / "app.py"
WORKERS_ENV = "OFFENDER_SIM_APP_WORKERS"  # read by sim/webapp/app.py
SCHEDULER_ENV = "OFFENDER_SIM_APP_SCHEDULER"


def streamlit_command(port: int) -> list[str]:
    """The Streamlit server for the app: this machine only, headless, no usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SCRIPT),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",  # no Deploy button: nothing here is meant to leave the machine
    ]


@app.command("app")
def app_command(
    port: Annotated[int, typer.Option(min=1024, max=65535, help="Port on 127.0.0.1.")] = 8501,
    workers: WorkersOption = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run replications on this dask.distributed scheduler.")
    ] = None,
) -> None:
    """Start the web app on this machine (127.0.0.1 only); open the address it prints.

    Nothing is sent anywhere: the server listens on 127.0.0.1 only and sends no usage
    statistics. Ctrl-C stops it.

    Example: python run_sim.py app --port 8502
    """
    try:
        import streamlit  # noqa: F401
    except ImportError:
        fail_with('the app needs Streamlit: pip install -e ".[app]"')
    env = dict(os.environ)
    for name, value in ((WORKERS_ENV, workers), (SCHEDULER_ENV, scheduler)):
        if value is not None:
            env[name] = str(value)
    out.print(
        f"The app is at http://{HOST}:{port} (this machine only; Ctrl-C stops it)",
        highlight=False,
    )
    process = subprocess.Popen(streamlit_command(port), env=env)
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the terminal sent Ctrl-C to Streamlit too: let it finish
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        err.print("[bold yellow]Interrupted:[/] the app has stopped.", highlight=False)
        raise typer.Exit(code=130) from None
    if code != 0:
        fail_with(f"the app stopped with exit code {code}")
