"""The lazy command table: `ledger --help` imports no command module, yet lists every command
under its own name with the first paragraph of its own help."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
from click.testing import CliRunner

import cli
from cli.commands import COMMANDS
from cli.main import cli as root


def _defined_commands() -> dict[int, tuple[str, click.Command]]:
    """Every click command defined at the top of a module of the cli package."""
    found: dict[int, tuple[str, click.Command]] = {}
    for module_info in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"cli.{module_info.name}")
        for attribute, obj in vars(module).items():
            callback = getattr(obj, "callback", None)
            defined_here = callback is not None and callback.__module__ == module.__name__
            if isinstance(obj, click.Command) and defined_here and obj is not root:
                found[id(obj)] = (f"{module.__name__}:{attribute}", obj)
    return found


def _top_level() -> dict[str, tuple[str, click.Command]]:
    found = _defined_commands()
    inside_groups = {
        id(sub)
        for _, command in found.values()
        if isinstance(command, click.Group)
        for sub in command.commands.values()
    }
    return {c.name or "": (t, c) for key, (t, c) in found.items() if key not in inside_groups}


def test_every_command_is_in_the_table_under_its_own_name() -> None:
    assert {name: target for name, (target, _) in _top_level().items()} == {
        name: target for name, (target, _) in COMMANDS.items()
    }


def test_the_table_holds_each_commands_own_short_help() -> None:
    for name, (_, command) in _top_level().items():
        assert COMMANDS[name][1] == " ".join((command.help or "").split("\n\n")[0].split()), name


def test_help_lists_the_commands_as_click_would() -> None:
    result = CliRunner().invoke(root, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    for name, (_, command) in _top_level().items():
        line = next(line for line in result.output.splitlines() if line.split()[:1] == [name])
        shown = line.split(None, 1)[1].rstrip(".")
        assert command.get_short_help_str(200).startswith(shown), name


def test_help_imports_no_command_module() -> None:
    probe = (
        "import sys\n"
        "from cli.main import main\n"
        "sys.argv = ['ledger', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cli', 'ledger', 'projections', 'eventsourcing', 'orjson'))\n"
        "print(' '.join(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == ["cli", "cli.commands", "cli.main", "cli.output"]


def test_a_command_loads_when_used() -> None:
    result = CliRunner().invoke(root, ["types", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"CaseOpened"' in result.output
