"""Imports on the worker, over the API: a file larger than ``BIBLIOTAL_INLINE_IMPORT_MB`` posted
to an import endpoint is answered 202 with its job; the client follows it here."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from bibliotal.api.auth import require
from bibliotal.api.schemas import Id
from bibliotal.core import importers
from bibliotal.core.imports import megabytes
from bibliotal.core.models import ImportJob
from bibliotal.core.permissions import Capability, organisation_of

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    id: int
    kind: str = Field(description="The importer: visits, digital, …")
    filename: str
    dry_run: bool = Field(description="A preview: nothing is written.")
    status: ImportJob.Status
    phase: str = Field(description="What the worker is doing now, in the user's language.")
    done: int
    total: int = Field(description="0 while unknown; bytes or rows, as the phase counts.")
    lines: list[str] = Field(description="What the importer said when it was done.")
    errors: list[str] = Field(description="Why the file was rejected; nothing was written.")
    created_at: datetime
    finished_at: datetime | None
    url: str = Field(description="Where to follow the job.")


def job_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "filename": job.filename,
        "dry_run": job.dry_run,
        "status": job.status,
        "phase": job.phase,
        "done": job.done,
        "total": job.total,
        "lines": job.lines,
        "errors": job.errors,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "url": f"/api/v1/imports/{job.pk}",
    }


def too_large(upload, limit: int | None = None) -> dict:
    """The 413 answer: the importer's own limit (``limit``) or the upload limit of the settings."""
    from django.conf import settings

    return {
        "detail": _("The file is larger than %(limit)s, the largest file an upload may be.")
        % {"limit": megabytes(limit or settings.IMPORT_MAX_UPLOAD_BYTES)},
        "errors": [],
    }


@router.get(
    "/imports/{job_id}",
    response=ImportJobOut,
    summary="An import on the worker",
    description=(
        "How far the worker has come with a large file, and when it is done what the importer "
        "said (`lines`) or why it rejected the file (`errors`)."
    ),
)
def get_job(request, job_id: Id):
    require(request, Capability.COORDINATE)
    job = get_object_or_404(ImportJob, pk=job_id, organisation=organisation_of(request.user))
    require(request, Capability(importers.get(job.kind).capability))
    return job_out(job)


def import_upload(
    request, *, kind: str, upload, organisation, options: dict, dry_run: bool, answer
):
    """The API's answer to an uploaded file, for every import endpoint: 413 over the importer's
    limit, 422 with every fault of a rejected file, 202 with the job of a file for the worker,
    else 200 with ``answer(result)``."""
    from django.conf import settings
    from ninja import Status

    from bibliotal.api.schemas import rejected
    from bibliotal.core import importjobs
    from bibliotal.core.imports import ImportRejected

    limit = min(
        importers.get(kind).max_bytes or settings.IMPORT_MAX_UPLOAD_BYTES,
        settings.IMPORT_MAX_UPLOAD_BYTES,
    )
    if upload.size > limit:
        return Status(413, too_large(upload, limit))
    try:
        result, job = importjobs.import_or_queue(
            request,
            kind=kind,
            upload=upload,
            organisation=organisation,
            options=options,
            dry_run=dry_run,
        )
    except ImportRejected as error:
        return Status(422, rejected(error))
    if job is not None:
        return Status(202, job_out(job))
    return answer(result)
