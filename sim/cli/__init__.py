"""The command line: one module per command, all registered on the shared ``app``."""

# importing a command module registers it on the app
from . import report, run, schema, validate  # noqa: F401
from .app import app

__all__ = ["app"]
