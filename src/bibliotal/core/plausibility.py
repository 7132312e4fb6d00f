"""Is a figure plausible? Each source against its own normal, and against a ceiling.

Pure arithmetic, shared by the apps that import or type figures (visits per sensor and hour of
the week, digital figures per platform and month, guidance per service point and weekday); the
apps choose the history and the ceiling, this module only judges.

- **Ceiling.** A value above the kind's absolute ceiling is impossible whatever the history:
  it is always named, also for a new source without history.
- **Normal.** Counts are compared on a log scale (a busy hour is a multiple of a quiet one,
  not a fixed number more), against the median of the source's own history, with the median
  absolute deviation (MAD) as the spread: both ignore the odd outlier in the history itself,
  where a mean and a standard deviation would be pulled along by the very value in question.
  The score is Iglewicz and Hoaglin's modified z (0.6745 × (x - median) ÷ MAD); above 3.5 is
  "far outside". Two guards keep it from crying wolf: the spread is never taken as narrower
  than what makes three times the median the least a value must reach (a steady history has a
  MAD near 0), and the value must exceed the median by the kind's ``min_excess`` (two visits
  in an hour that usually has none are not a fault).
- **Only upwards.** A low value is never held: holding it out would lower the figure further,
  and missing or closed days are the cleaning's and the completeness page's business.
- **Too little history.** Fewer than ``min_history`` earlier values: only the ceiling is
  checked, and the verdict says so (``SHORT``), so a preview can tell the user.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

Z_LIMIT = 3.5  # Iglewicz & Hoaglin's cut-off for the modified z-score
MIN_FACTOR = 3.0  # never "far outside" below three times the usual level
MIN_HISTORY = 4
_MAD_FLOOR = 0.6745 * math.log(MIN_FACTOR) / Z_LIMIT

OK = "ok"
SHORT = "short"  # too little history: only the ceiling was checked (and passed)
OUTLIER = "outlier"  # far above the source's normal
CEILING = "ceiling"  # above the absolute ceiling


@dataclass(frozen=True)
class Verdict:
    kind: str
    value: float
    ceiling: float
    median: float | None = None  # the normal (in the value's own unit), None without history
    history: int = 0  # how many earlier values the normal rests on
    z: float | None = None

    @property
    def held(self) -> bool:
        """Whether the value is to be held out of the goals until a person decides."""
        return self.kind in (OUTLIER, CEILING)


def judge(
    value: float,
    history: Iterable[float],
    *,
    ceiling: float,
    min_excess: float,
    min_history: int = MIN_HISTORY,
) -> Verdict:
    """The verdict on ``value`` against ``history`` (earlier values of the same source and
    slot; zeros, which say "closed" or "nothing", are the caller's to leave out)."""
    past = [float(h) for h in history if h is not None and h >= 0]
    normal = median(past) if past else None
    if value > ceiling:
        return Verdict(CEILING, value, ceiling, normal, len(past))
    if len(past) < min_history:
        return Verdict(SHORT, value, ceiling, normal, len(past))
    logs = [math.log1p(h) for h in past]
    centre = median(logs)
    spread = max(median(abs(x - centre) for x in logs), _MAD_FLOOR)
    z = 0.6745 * (math.log1p(value) - centre) / spread
    if z > Z_LIMIT and value - normal >= min_excess:
        return Verdict(OUTLIER, value, ceiling, normal, len(past), z)
    return Verdict(OK, value, ceiling, normal, len(past), z)
