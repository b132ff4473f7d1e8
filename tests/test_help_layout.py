"""Every command's --help reads the same way (audit, rough edges: `--help` layout).

Flags take no value, so their help shows no type; the usage line names the argument in
capitals; the shared options come in one order; and each example is a paragraph of its own
starting "Example:", one command per example.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from repo import runner

from run_sim import app

COMMANDS = sorted(typer.main.get_command(app).commands)
GROUP: Any = typer.main.get_command(app)  # typer's own copy of click's Group


def options_of(command: str) -> list[Any]:
    """The command's parameters in the order its help lists them."""
    found = GROUP.commands[command]
    return list(found.params)


def help_text(command: str) -> str:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_no_flag_shows_a_type_as_if_it_took_a_value(command):
    flags = [p.opts[0] for p in options_of(command) if p.param_type_name == "option" and p.is_flag]
    text = help_text(command)
    for flag in flags:
        line = next(line for line in text.splitlines() if re.search(rf"{flag}\b", line))
        assert "<bool>" not in line, line


@pytest.mark.parametrize("command", COMMANDS)
def test_the_usage_line_names_the_argument_in_capitals(command):
    usage = next(line for line in help_text(command).splitlines() if "Usage:" in line)
    arguments = re.findall(r"\{([^}]*)\}", usage)
    assert all(name == name.upper() for name in arguments), usage


@pytest.mark.parametrize("command", COMMANDS)
def test_quiet_comes_before_force(command):
    names = [p.name for p in options_of(command)]
    if "quiet" in names and "force" in names:
        assert names.index("quiet") < names.index("force")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_example_is_one_command_in_its_own_paragraph(command):
    found = GROUP.commands[command]
    paragraphs = (found.help or "").split("\n\n")
    examples = [p for p in paragraphs if "python run_sim.py" in p]
    assert examples
    for paragraph in examples:
        assert paragraph.strip().startswith("Example: python run_sim.py "), paragraph
        assert paragraph.count("python run_sim.py") == 1, paragraph


def test_calibrate_takes_a_seed_as_the_other_studies_do():
    studies = ["run", "compare", "sweep", "sensitivity", "calibrate"]
    assert all("seed" in [p.name for p in options_of(command)] for command in studies)
