"""README.md documents the whole command line: every command and sub-command has an example
(`cluster-intl NAME ...`) and every option of a command is named in the README's section of that
command, or among the options several commands share (the intro of "## Commands"). Walks the Typer app, so a new command or option fails here until the README says it
(sqlite-utils' tests/test_docs.py does the same for its CLI)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main

import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """("kb check", command) for every command, sub-commands of groups included."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from commands(command, f"{path} ")
        else:
            yield path, command


COMMANDS = dict(commands(typer.main.get_command(cli.app)))


def section(name: str) -> str:
    """The README's section (### heading to the next heading) whose heading names the command."""
    parts = re.split(r"^(?=#{2,3} )", README, flags=re.M)
    found = [p for p in parts if p.startswith("### ") and f"`{name}`" in p.splitlines()[0]]
    assert found, f"README.md has no ### section naming `{name}` in its heading"
    return found[0]


# the intro of "## Commands", before its first ### section, names the options several commands share
SHARED = README.split("## Commands", 1)[1].split("\n### ", 1)[0]


def options(command: Any) -> list[str]:
    """The long names of a command's options (`--format`), help excepted."""
    return sorted(
        opt
        for param in command.params
        for opt in getattr(param, "opts", [])
        if opt.startswith("--") and param.param_type_name == "option"
    )


def test_the_walk_sees_every_command_and_sub_command():
    # the test can fail: it is not looking at an empty app
    assert {"draft", "compare", "serve", "kb check", "kb export-clips"} <= set(COMMANDS)
    assert "--format" in options(COMMANDS["draft"])
    assert "--strict" in options(COMMANDS["kb check"])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_an_example(name):
    assert f"cluster-intl {name} " in README, f"README.md has no example of `cluster-intl {name}`"


@pytest.mark.parametrize(
    ("name", "option"), [(n, o) for n, c in sorted(COMMANDS.items()) for o in options(c)]
)
def test_every_option_is_named_in_its_commands_section(name, option):
    named = re.compile(rf"{re.escape(option)}\b")
    assert named.search(section(name)) or named.search(SHARED), (
        f"README.md: neither the section of `{name}` nor the shared options name {option}"
    )


def test_the_shared_options_are_a_short_paragraph_not_the_whole_readme():
    assert "--knowledge" in SHARED and "--token" not in SHARED and len(SHARED) < 1500
