"""Every registered importer, fed mutated versions of its golden files, returns a result or
raises ``ImportRejected`` naming the file, and writes nothing when it rejects one (nor ever in a
preview). ``BIBLIOTAL_FUZZ_EXAMPLES`` sets the cases per importer (200 by default)."""

from __future__ import annotations

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from bibliotal.core import importers
from tests.fuzz.conftest import FUZZ, run_case
from tests.fuzz.golden_files import goldens, workbook
from tests.fuzz.mutations import mutated

GOLDENS = goldens()
KINDS = sorted(GOLDENS)


def test_every_registered_importer_has_golden_files():
    assert sorted(i.kind for i in importers.all_importers()) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_golden_file_imports_cleanly(fuzz_world, kind):
    for golden in GOLDENS[kind]:
        data = workbook(golden.rows) if golden.rows is not None else golden.data
        options = {"organisation": fuzz_world.organisation, **golden.options(fuzz_world)}
        outcome = run_case(kind, data, golden.filename, options, apply=True)
        assert outcome.rejected is None, f"{golden.filename}: {outcome.rejected}"


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(case=st.data())
def test_a_mutated_file_is_imported_or_rejected_and_never_crashes(fuzz_world, kind, case):
    golden = case.draw(st.sampled_from(GOLDENS[kind]), label="golden")
    data, filename, how = case.draw(mutated(golden), label="mutation")
    apply = case.draw(st.booleans(), label="apply")
    note(f"{golden.filename} → {filename} ({how}, {len(data)} bytes): {data[:300]!r}")
    options = {"organisation": fuzz_world.organisation, **golden.options(fuzz_world)}
    run_case(kind, data, filename, options, apply=apply)
