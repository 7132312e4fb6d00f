"""The README stays true: its quick start, its configuration table and its command list."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quick_start_is_exactly_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    assert block.split("\n")[:-1] == ["make demo", "make test"]


def test_every_environment_variable_the_code_reads_is_documented():
    sources = [
        ROOT / "src/bibliotal/settings.py",
        ROOT / "Makefile",
        ROOT / ".ci/run",
        *sorted((ROOT / "tests").rglob("conftest.py")),
    ]
    used = set()
    for path in sources:
        used |= set(re.findall(r"\b(BIBLIOTAL_[A-Z_]+|DATABASE_URL)\b", path.read_text()))
    used.discard("BIBLIOTAL_")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, re.M))
    assert sorted(used - documented) == []
    assert sorted(documented - used) == []


def test_every_bibliotal_command_is_in_the_readme():
    ours = {name for name, app in get_commands().items() if app.startswith("bibliotal")}
    for name in ours:
        assert f"`bibliotal {name}" in README, name
