"""How long does the back-test of the whole demo take, and how fast is `goals status` of a year?

Loads the Herning demo into a fresh data directory (nothing of yours is touched), then times
`bibliotal goals backtest` for every indicator (the method replayed from every month end of
2019–2021, each forecast with its own replays of the history years for its range) and the
status of every target of 2021 at 30 June and at the year's end. Prints the medians and the
back-test's own figures (coverage, error, width against the naive forecast).

    .venv/bin/python bench/forecast_backtest.py [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date


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

    call_command("migrate", verbosity=0)
    call_command("demo", "--no-serve", stdout=io.StringIO())

    from bibliotal.core.models import Organisation
    from bibliotal.goals.backtest import organisation_backtest
    from bibliotal.goals.reporting import status_rows

    organisation = Organisation.objects.get()

    def timed(function):
        times = []
        result = None
        for _ in range(args.runs):
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        return statistics.median(times), result

    seconds, found = timed(
        lambda: organisation_backtest(organisation=organisation, today=date(2022, 1, 15))
    )
    mid, _rows = timed(
        lambda: status_rows(organisation=organisation, year=2021, at=date(2021, 6, 30))
    )
    end, _rows = timed(
        lambda: status_rows(organisation=organisation, year=2021, at=date(2021, 12, 31))
    )
    print(f"back-test, all indicators, 2019–2021 × 11 month ends: {seconds:.2f} s")
    print(f"goals status 2021 at 30 June: {mid:.2f} s; at 31 December: {end:.2f} s")
    print()
    print("indicator            inside    mean error  mean width  naive error (own, same months)")
    inside = made = 0
    widths = []
    for one in found:
        s = one.result.summary()
        inside += s["inside"]
        made += s["forecasts"]
        widths += [(p.high - p.low) / p.truth for p in one.result.forecasts]
        naive = (
            "–" if s["naive_mape"] is None else f"{s['naive_mape']:.1%} ({s['paired_mape']:.1%})"
        )
        print(
            f"{one.key:20} {s['inside']:>3}/{s['forecasts']:<3}   {s['mape']:>9.1%}  "
            f"{s['mean_width']:>10.1%}  {naive}"
        )
    print(
        f"all                  {inside:>3}/{made:<3}   coverage {inside / made:.1%}, "
        f"mean width {sum(widths) / len(widths):.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
