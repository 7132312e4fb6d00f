"""The deployment files are valid systemd units, run commands that exist with options they
take, and are shown in docs/deploy.md as they are."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").iterdir())
INSTALLED = "/opt/bibliotal/.venv/bin/"


def exec_lines(unit: Path) -> list[list[str]]:
    return [
        line.split("=", 1)[1].split()
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


def test_there_are_units_for_the_server_the_worker_and_the_nightly_backup():
    assert [unit.name for unit in UNITS] == [
        "bibliotal-backup.service",
        "bibliotal-backup.timer",
        "bibliotal-worker.service",
        "bibliotal.service",
    ]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path):
    # The units name the program where docs/deploy.md installs it; here it is this venv's.
    for unit in UNITS:
        text = unit.read_text().replace(INSTALLED, f"{Path(sys.executable).parent}/")
        (tmp_path / unit.name).write_text(text)
    run = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    ours = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if "bibliotal" in line or str(tmp_path) in line
    ]
    assert run.returncode == 0 and ours == [], run.stdout + run.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=str)
def test_each_unit_runs_a_bibliotal_command_with_options_it_takes(unit):
    [command] = exec_lines(unit)
    program, name, *arguments = command
    assert program == f"{INSTALLED}bibliotal"
    parser = load_command_class("bibliotal.core", name).create_parser("bibliotal", name)
    parser.parse_args(arguments)  # an unknown option or a bad value stops here


def test_the_deploy_guide_shows_every_unit_as_it_is():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for unit in UNITS:
        assert f"```ini\n{unit.read_text()}```" in guide, unit.name
