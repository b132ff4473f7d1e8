"""The command line: one module per command, all registered on the shared ``app``."""

# Importing a command module registers it on the app. One line per command, so commands
# added in parallel do not collide.
from . import (
    backtest,  # noqa: F401
    calibrate,  # noqa: F401
    compare,  # noqa: F401
    new_scenario,  # noqa: F401
    plan,  # noqa: F401
    report,  # noqa: F401
    run,  # noqa: F401
    schema,  # noqa: F401
    sensitivity,  # noqa: F401
    sweep,  # noqa: F401
    validate,  # noqa: F401
    webapp,  # noqa: F401
)
from .app import app

__all__ = ["app"]
