"""How long does the full målopfølgning PDF for demo 2021 take to build?

Loads the Herning demo into a fresh data directory (nothing of yours is touched), then builds
the goal follow-up for 2021 in each format several times and prints the median, cold (every
cache emptied first, as after an import) and warm (the targets' progress and the charts'
drawings kept, as when the same report was asked before the figures changed), then the parts of
the PDF: gathering the content (the goals engine for every target), drawing the charts as SVG
(vl-convert) and typesetting (Typst).

    .venv/bin/python bench/report_pdf.py [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["BIBLIOTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", verbosity=0)
    call_command("demo", "--no-serve", stdout=io.StringIO())
    from bibliotal.core.startup import prepare_process

    prepare_process()  # as a server's worker does before its first request

    from bibliotal.core.models import Organisation
    from bibliotal.reports import charts, content, pdf, services

    organisation = Organisation.objects.get()

    from django.core.cache import cache

    def timed(function, before=None):
        times = []
        result = None
        for _ in range(args.runs):
            if before is not None:
                before()
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        return statistics.median(times), result

    rows = []
    # Cold: every cache emptied first, as after an import. Warm: the targets' progress kept, as
    # when the manager has looked at the goals or the report page since the last change.
    for format in ("pdf", "docx", "xlsx", "csv"):
        for label, before in (("cold", cache.clear), ("warm", None)):
            seconds, made = timed(
                lambda format=format: services.make_report(
                    organisation=organisation, year=2021, format=format
                ),
                before,
            )
            rows.append((f"full {format.upper()} ({label})", seconds, len(made.data)))
    with translation.override("da"):
        seconds, report = timed(
            lambda: content.build_report(organisation=organisation, year=2021, language="da"),
            cache.clear,
        )
        rows.append(("PDF part: content (goals engine, 9 targets), cold", seconds, None))
        specs = [content.document_chart(e.chart) for e in report.entries if e.chart]
        seconds, _svgs = timed(lambda: [charts.svg(spec) for spec in specs], cache.clear)
        rows.append((f"PDF part: {len(specs)} charts as SVG, drawn", seconds, None))
        seconds, _data = timed(lambda: pdf.render(report), cache.clear)
        rows.append(("PDF part: charts drawn + Typst", seconds, None))
        seconds, _data = timed(lambda: pdf.render(report))
        rows.append(("PDF part: charts kept + Typst", seconds, None))
    print(f"median of {args.runs} runs, demo 2021, SQLite")
    for name, seconds, size in rows:
        extra = f"  {size:,} bytes" if size else ""
        print(f"{name:<46} {seconds * 1000:8.0f} ms{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
