"""One door for every importer: the apps register theirs here, and the upload pages, the API and
the `bibliotal import` command all go through the same entry.

An app registers, from its ``AppConfig.ready``, an :class:`Importer`: its ``kind`` (the word on
the command line), how to ``detect`` a file of its own, and ``run``, which previews the file
(``dry_run=True``: everything is read and checked, nothing written) or applies it. ``run`` gets
an :class:`Upload` that has already passed the guards every file passes (its size, a workbook's
zip directory); reading it further goes through the guarded readers of ``core.imports``, so
that every failure is an ``ImportRejected`` naming file, line, column, value and rule.

Core imports no other app: it knows the importers only through this registry.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from bibliotal.core.imports import (
    ImportRejected,
    check_size,
    check_workbook,
    is_xlsx,
    refuse_unreadable,
)

OFFICE_SUFFIXES = (".xlsx", ".docx")


@dataclass
class Upload:
    """A file on its way in: its name, an open binary stream and its size in bytes."""

    filename: str
    source: BinaryIO
    size: int

    @classmethod
    def from_bytes(cls, data: bytes, filename: str) -> Upload:
        return cls(filename, io.BytesIO(data), len(data))

    @classmethod
    def from_file(cls, file, filename: str | None = None) -> Upload:
        """A Django ``UploadedFile`` (kept in memory or in a temporary file, never read whole
        here) or any binary file object."""
        name = filename or getattr(file, "name", "") or "upload"
        source = getattr(file, "file", file)
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        return cls(Path(name).name, source, size)

    @classmethod
    def from_path(cls, path: Path) -> Upload:
        source = path.open("rb")  # streamed: a national file need not fit in memory
        return cls(path.name, source, path.stat().st_size)

    def head(self, size: int = 4096) -> bytes:
        self.source.seek(0)
        data = self.source.read(size)
        self.source.seek(0)
        return data

    def read(self) -> bytes:
        self.source.seek(0)
        data = self.source.read()
        self.source.seek(0)
        return data

    def close(self) -> None:
        self.source.close()


def _never(filename: str, head: bytes) -> bool:
    return False


def _no_arguments(parser) -> None:
    return None


def _same_options(organisation, options: dict) -> dict:
    return {}


def _summary(result) -> list[str]:
    return [result.summary()]


@dataclass(frozen=True)
class Importer:
    """One kind of file an app reads.

    - ``run(organisation=, upload=, user=, dry_run=, progress=, **options)`` reads the
      :class:`Upload` and returns a result with ``summary()``; it raises ``ImportRejected``
      and writes nothing when the file cannot be imported.
    - ``detect(filename, head)`` says whether a file (its name and first 4 KiB) is of this kind.
    - ``arguments(parser)`` adds the command line's options; ``options(organisation, parsed)``
      turns them into ``run``'s keyword arguments (raising ``ValueError`` with a message for a
      name that matches nothing).
    - ``report(result)`` are the lines the command prints (default: the summary).
    - ``formats`` are the kinds of file it reads ("csv", "tsv", "txt", "json", "ics", "xlsx"):
      any other file (empty, a picture, an archive, bytes that are no text) is refused before
      ``run`` reads it, in a sentence that names the file and these formats.
    """

    kind: str
    label: Any
    help: str
    run: Callable[..., Any]
    detect: Callable[[str, bytes], bool] = _never
    arguments: Callable[[Any], None] = _no_arguments
    options: Callable[[Any, dict], dict] = _same_options
    report: Callable[[Any], list[str]] = _summary
    max_bytes: int | None = None  # None: the upload limit from the settings
    capability: str = "manage"  # who may import it on a page or in the API (core.permissions)
    formats: tuple[str, ...] = ("csv", "xlsx")
    extra: dict = field(default_factory=dict)

    def guard(self, upload: Upload, *, limit: bool = True) -> None:
        """The checks every file passes before its importer reads a byte of it: its size
        (uploads only; the command line has no limit) and, for an Office file, its zip
        directory (damaged, or unpacking to more than the limit); and it must be a file of
        the importer's ``formats``, not an empty file, a picture or an archive."""
        if limit:
            check_size(upload.source, upload.filename, self.max_bytes)
        refuse_unreadable(upload.source, upload.filename, self.formats)
        head = upload.head(4)
        if is_xlsx(head) or upload.filename.lower().endswith(OFFICE_SUFFIXES):
            check_workbook(upload.source, upload.filename)

    def preview(self, *, upload: Upload, limit: bool = True, **options):
        """Read and check everything, write nothing."""
        self.guard(upload, limit=limit)
        return self.run(upload=upload, dry_run=True, **options)

    def apply(self, *, upload: Upload, limit: bool = True, **options):
        self.guard(upload, limit=limit)
        return self.run(upload=upload, dry_run=False, **options)


_registry: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _registry[importer.kind] = importer


def get(kind: str) -> Importer:
    return _registry[kind]


def all_importers() -> list[Importer]:
    return sorted(_registry.values(), key=lambda importer: importer.kind)


def detect(upload: Upload) -> list[Importer]:
    """The importers that recognise the file, in the order of their kinds."""
    head = upload.head()
    return [i for i in all_importers() if i.detect(upload.filename.lower(), head)]


__all__ = ["ImportRejected", "Importer", "Upload", "all_importers", "detect", "get", "register"]
