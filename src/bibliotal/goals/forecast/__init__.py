"""Where the year will end, and how sure that is: the forecaster behind every goal.

Pure functions over plain data (no database), so every rule can be replayed and tested by hand.

The method, in the order it works (the README's "The forecast and its back-test" says the same
for a reader; ``constants.py`` gives every setting with its reason):

1. **Periods** (``profile.py``). The target's period is cut into weeks (7-day blocks from its
   first day) or calendar months. A series is monthly when most of its months carry their figure
   on one day or spread evenly over the month (new registered users, e-loans); otherwise the
   granularity that erred less when replayed on two or more history years, else the one whose
   history years (or, without history, whose own periods so far) are less noisy once months
   smooth out weeks.
2. **Seasonal profile** (``profile.py``). Each history year gives a rate per open day for every
   period, divided by its own mean: the shape of a year, free of its closures. The years are
   averaged with weights: a year with many closed days weighs less (its open share, cubed), the
   eight weeks after a long closure (14 days or more) weigh a quarter (a reopening is not a
   season), and with three or more history years a year whose shape strays beyond the others'
   weighs less. Neighbouring periods are smoothed (¼, ½, ¼) so that Easter and other moving days
   blur.
3. **Expected weight.** A period's expected weight this year is its profile times its open days
   in this year's calendar, closures known in advance included: a future renovation lowers the
   forecast, and the pace toward the target (``Forecaster.pace``) is the same weights.
4. **Level and trend** (``smoothing.py``). What was counted over the expected weight, period by
   period, is smoothed exponentially (Holt's method with a damped trend, in error-correction
   form). With two months of periods the smoothing is chosen by how well it would have forecast
   the next two months from every period so far, a trend only where it does clearly better than
   none; never a trend without a profile or in a year that has reopened after a long closure.
   The level then leans on the history years' level, as many periods' worth as this year's
   noise makes it (a noisy week of events says less than a steady week of visits), and less
   where this year's own level is clearly elsewhere (a year that has moved), except after a
   long closure. History years are read only where they were counted (``YearShape.recorded``).
5. **Forecast** (``method.py``). What is counted so far plus the level (with its damped trend)
   times the expected weight of every period ahead.
6. **Range (80 %).** The larger of two:
   - the model's own: the noise between periods carried through the smoothing (the variance of a
     sum of exponential-smoothing forecasts), the uncertainty of the level and that of the
     profile, larger with fewer history years;
   - the back-test's (conformal): the method replayed on each history year that has a year
     before it, at the same point of the year and two and four weeks either side, gives the
     relative errors of its year-ends, each weighted as its year in the profile; their 80th
     percentile times the forecast rest of the year, widened by 15 % for each of three years
     that could not be replayed, and taken as far as the replayed years' weights trust it.
   So a range is never narrower than the method has earned on the organisation's own past.

Nothing is forecast when no period so far had an open day or nothing was counted on open days:
a level of zero says nothing about the rest of the year. ``backtest.py`` replays the method on
complete past years from every month end and measures it against the naive forecast.
"""

from bibliotal.goals.forecast.backtest import (
    Backtest,
    BacktestPoint,
    backtest,
    complete,
    naive_forecast,
)
from bibliotal.goals.forecast.constants import HISTORY_YEARS, MONTHLY, WEEKLY
from bibliotal.goals.forecast.method import Forecast, Forecaster
from bibliotal.goals.forecast.profile import granularity_of, month_ends

__all__ = [
    "HISTORY_YEARS",
    "MONTHLY",
    "WEEKLY",
    "Backtest",
    "BacktestPoint",
    "Forecast",
    "Forecaster",
    "backtest",
    "complete",
    "granularity_of",
    "month_ends",
    "naive_forecast",
]
