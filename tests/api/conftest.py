"""Every answer an API test sees must be one its operation documents: the OpenAPI description is
what clients are generated from."""

from __future__ import annotations

import os

import pytest
from ninja.operation import Operation

# Generated examples per operation in test_schemathesis.py: a few for the suite, 500 for a long run.
SCHEMATHESIS_EXAMPLES = int(os.environ.get("BIBLIOTAL_SCHEMATHESIS_EXAMPLES", "15"))


@pytest.fixture(autouse=True)
def _answers_are_documented(monkeypatch):
    seen: list[tuple[Operation, int]] = []
    run = Operation.run

    def recording_run(self, request, **kwargs):
        response = run(self, request, **kwargs)
        seen.append((self, response.status_code))
        return response

    monkeypatch.setattr(Operation, "run", recording_run)
    yield
    undocumented = sorted(
        {
            (", ".join(operation.methods), operation.view_func.__name__, status)
            for operation, status in seen
            if status not in operation.response_models
        }
    )
    assert not undocumented, f"answers their operations do not document: {undocumented}"
