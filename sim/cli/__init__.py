"""The command line: one module per command, all registered on the shared ``app``."""

from . import compare, run, sensitivity, sweep, validate  # noqa: F401  (importing a command module registers it)
from .app import app

__all__ = ["app"]
