"""How long, and in how much memory, is an inflated workbook refused on the page, the API and the
command? (Issue 19: a 1.7 MB workbook whose sheet unpacks to 500 MB held a web worker past
gunicorn's timeout and grew it to 3 GB.)

    .venv/bin/python bench/zip_bomb.py [--unpacked-mb 500]

Builds a real .xlsx whose one sheet unpacks to ``--unpacked-mb`` MB (rows of one number each,
deflated), then, each in its own process so that its peak memory is its own, posts it to the
counter-file import page, to ``POST /api/v1/visits/counter-files`` (through Django's test client,
the whole stack but the socket) and gives it to ``bibliotal import visits``. It prints each
path's answer, time and peak resident memory. The goal: refused in under 5 s using under 300 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(path: Path, unpacked: int) -> int:
    from openpyxl import Workbook

    plain = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Dato", "Tid", "Tæller", "Ind", "Ud"])
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    row = b'<row r="2"><c r="A2"><v>1</v></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                block = row * ((1 << 20) // len(row))
                for _ in range(unpacked // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData>" + tail)
    return path.stat().st_size


CHILD = r"""
import json, os, resource, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "bibliotal.settings"
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
from django.conf import settings
from bibliotal.core.models import ApiToken, Membership, Organisation, Role
from django.contrib.auth import get_user_model

call_command("migrate", verbosity=0)
organisation, _ = Organisation.objects.get_or_create(name="Bench", municipality_code="999")
user, _ = get_user_model().objects.get_or_create(username="bench")
Membership.objects.get_or_create(user=user, organisation=organisation, role=Role.MANAGER)
path, way = sys.argv[1], sys.argv[2]
setup_test_environment()
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if way == "command":
    from django.core.management.base import CommandError
    try:
        call_command("import", "visits", path)
        answer = "imported"
    except CommandError as error:
        answer = "refused: " + str(error)[:160]
else:
    client = Client()
    with open(path, "rb") as file:
        if way == "page":
            client.force_login(user)
            response = client.post("/visits/import/", {"file": file, "rule": "half"})
            answer = f"{response.status_code}: " + " ".join(response.context["errors"])[:160]
        else:
            _token, key = ApiToken.issue(user=user, name="bench")
            response = client.post(
                "/api/v1/visits/counter-files", {"file": file, "rule": "half"},
                HTTP_AUTHORIZATION=f"Bearer {key}",
            )
            answer = f"{response.status_code}: " + response.content.decode()[:160]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"way": way, "seconds": seconds, "peak_mb": peak / 1024,
                  "before_mb": before / 1024, "answer": answer}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unpacked-mb", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bomb = Path(folder) / "bomb.xlsx"
        size = build(bomb, args.unpacked_mb * 1_000_000)
        unpacked = sum(i.file_size for i in zipfile.ZipFile(bomb).infolist())
        print(f"workbook: {size / 1e6:.2f} MB, unpacks to {unpacked / 1e6:.0f} MB")
        env = {**os.environ, "BIBLIOTAL_DATA_DIR": folder, "BIBLIOTAL_ALLOWED_HOSTS": "testserver"}
        env.pop("DATABASE_URL", None)
        for way in ("page", "api", "command"):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(bomb), way],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                sys.exit(done.stderr)
            found = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{way:8} {found['seconds']:.3f} s, peak {found['peak_mb']:.0f} MB "
                f"(Django loaded: {found['before_mb']:.0f} MB; whole process "
                f"{time.perf_counter() - started:.1f} s) — {found['answer']}"
            )


if __name__ == "__main__":
    main()
