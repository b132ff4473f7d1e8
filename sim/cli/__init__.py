"""The command line: one module per command, all registered on the shared ``app``."""

from . import plan, run, validate  # noqa: F401  (importing a command module registers it)
from .app import app

__all__ = ["app"]
