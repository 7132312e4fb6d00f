"""Large uploads on the worker queue: no web worker is held past its timeout by a big file.

An upload page that receives a file larger than ``BIBLIOTAL_INLINE_IMPORT_MB`` hands it here:
the file is kept (``core.uploads``), an :class:`ImportJob` is queued, and the user is sent to
the job's page, which shows how far the worker has come and then the preview. Confirming
queues the import itself with the same file; cancelling deletes it. The importer is the same
one from core's registry that the page, the API and the command use.
"""

from __future__ import annotations

import logging
import time

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import task

from bibliotal.core import importers, uploads
from bibliotal.core.imports import API, PAGE, ImportRejected, said
from bibliotal.core.models import ImportJob
from bibliotal.core.permissions import Capability, has_capability, organisation_of, require

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


def runs_in_background(upload: importers.Upload) -> bool:
    limit = settings.IMPORT_INLINE_BYTES
    return bool(limit) and upload.size > limit


def _encode(options: dict) -> dict:
    """Options as JSON: a model instance (a library, a platform) by its label and key."""
    encoded = {}
    for name, value in options.items():
        if isinstance(value, models.Model):
            encoded[name] = {"model": value._meta.label, "pk": value.pk}
        else:
            encoded[name] = value
    return encoded


def _decode(options: dict) -> dict:
    decoded = {}
    for name, value in options.items():
        if isinstance(value, dict) and set(value) == {"model", "pk"}:
            model = apps.get_model(value["model"])
            decoded[name] = model.objects.filter(pk=value["pk"]).first()
        else:
            decoded[name] = value
    return decoded


def import_or_queue(request, *, kind: str, upload, organisation, options: dict, dry_run: bool):
    """Preview (or import) an upload in this request, or hand a file larger than
    ``BIBLIOTAL_INLINE_IMPORT_MB`` to the worker: ``(result, None)`` or ``(None, job)``.
    Raises ``ImportRejected`` when the file is refused; pages and the API share this."""
    if runs_in_background(upload):
        job = queue(
            request,
            kind=kind,
            upload=upload,
            organisation=organisation,
            options=options,
            dry_run=dry_run,
        )
        return None, job
    importer = importers.get(kind)
    step = importer.preview if dry_run else importer.apply
    return step(upload=upload, organisation=organisation, user=request.user, **options), None


def queue(
    request, *, kind: str, upload: importers.Upload, organisation, options: dict, dry_run=True
) -> ImportJob:
    """Keep the file and queue its preview (or, for the API, its import) on the worker."""
    importers.get(kind).guard(upload)  # size and archive: refused here, before any queue
    job = ImportJob.objects.create(
        organisation=organisation,
        user=request.user,
        kind=kind,
        filename=upload.filename[:255],
        size=upload.size,
        token=uploads.keep(upload.source, upload.filename),
        options=_encode(options),
        language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        back_url="" if request.path.startswith("/api/") else request.path[:200],
        dry_run=dry_run,
    )
    run_import_job.enqueue(job.pk)
    return job


class _Progress:
    """The importer's ``progress(phase, done, total, unit)``, saved at most once a second."""

    def __init__(self, job: ImportJob):
        self.job, self.last = job, 0.0

    def __call__(self, phase: str, done: int, total: int, unit: str = "") -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and done < total:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job.pk).update(
            phase=str(phase)[:80], done=done, total=total
        )


def run(job: ImportJob) -> ImportJob:
    """Preview or import the job's file with its importer, and record what came of it."""
    from django.utils import translation

    path = uploads.path_of(job.token)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    if path is None:
        job.status, job.errors = ImportJob.Status.FAILED, [_("The file is no longer kept.")]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at"])
        return job
    importer = importers.get(job.kind)
    upload = importers.Upload.from_path(path)
    upload.filename = job.filename
    language = job.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            step = importer.preview if job.dry_run else importer.apply
            result = step(
                upload=upload,
                organisation=job.organisation,
                user=job.user,
                progress=_Progress(job),
                **_decode(job.options),
            )
            job.lines = [str(line) for line in importer.report(result)]
        job.status = ImportJob.Status.DONE
    except ImportRejected as error:
        where = PAGE if job.back_url else API  # queued by a page, or by the API
        job.status = ImportJob.Status.REJECTED
        job.errors = [said(e, where) for e in error.errors[:200]]
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.errors = [_("The import failed on the server; nothing was saved.")]
    finally:
        upload.close()
    if not job.dry_run or job.status != ImportJob.Status.DONE:
        uploads.discard(job.token)  # imported, or nothing to confirm: the file goes
        job.token = ""
    job.finished_at = timezone.now()
    job.save()
    return job


@task()
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.filter(pk=job_id).select_related("organisation", "user").first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return "gone"
    return run(job).status


def _job_of(request, pk: int) -> ImportJob:
    """The organisation's job, for whoever may import its kind of file (else 403)."""
    organisation = organisation_of(request.user)
    if organisation is None:
        raise Http404
    job = get_object_or_404(ImportJob, pk=pk, organisation=organisation)
    if not has_capability(request.user, Capability(importers.get(job.kind).capability)):
        raise PermissionDenied
    return job


@require(Capability.COORDINATE)
def job_page(request, pk: int):
    job = _job_of(request, pk)
    template = "core/_import_job.html" if request.headers.get("HX-Request") else None
    context = {"job": job, "label": importers.get(job.kind).label}
    return render(request, template or "core/import_job.html", context)


@require(Capability.COORDINATE)
@require_POST
def job_confirm(request, pk: int):
    job = _job_of(request, pk)
    if not (job.dry_run and job.status == ImportJob.Status.DONE and uploads.path_of(job.token)):
        raise Http404
    applied = ImportJob.objects.create(
        organisation=job.organisation,
        user=request.user,
        kind=job.kind,
        filename=job.filename,
        size=job.size,
        token=job.token,
        options=job.options,
        language=getattr(request, "LANGUAGE_CODE", job.language),
        back_url=job.back_url,
        dry_run=False,
    )
    job.token = ""  # the file now belongs to the import
    job.save(update_fields=["token"])
    run_import_job.enqueue(applied.pk)
    return redirect("core:import_job", pk=applied.pk)


@require(Capability.COORDINATE)
@require_POST
def job_cancel(request, pk: int):
    job = _job_of(request, pk)
    # A running import is not stopped half-way: it writes in one transaction or not at all.
    if job.status == ImportJob.Status.QUEUED or (job.dry_run and job.finished):
        uploads.discard(job.token)
        job.status, job.token = ImportJob.Status.CANCELLED, ""
        job.save(update_fields=["status", "token"])
    return redirect("core:import_job", pk=job.pk)
