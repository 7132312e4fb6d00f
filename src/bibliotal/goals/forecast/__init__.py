"""Where the year will end, and how sure that is: the forecaster behind every goal.

Pure functions over plain data (no database), so every rule can be replayed and tested by hand.

The method, in the order it works:

1. **Periods.** The target's period is cut into weeks (7-day blocks from its first day) or, for
   an indicator reported per month (new registered users, e-loans), into calendar months. A
   series is monthly when most of its months carry their figure on one day or spread evenly
   over the month.
2. **Seasonal profile.** Each history year gives a rate per open day for every period, divided
   by its own mean: the shape of a year, free of its closures. The years are averaged with
   weights: a year with many closed days weighs less (its open share, cubed), the eight weeks
   after a long closure (14 days or more) weigh a quarter (a reopening is not a normal season),
   and with three or more history years a year whose shape strays from the others' weighs less.
   Neighbouring weeks are smoothed (¼, ½, ¼) so that Easter and other moving days blur.
3. **Expected weight.** A period's expected weight this year is its profile times its open days
   in this year's calendar, closures known in advance included: a future renovation lowers the
   forecast, and the pace toward the target (``pace``) is the same weights added up.
4. **Level and trend.** The ratio of what was counted to the expected weight, period by period,
   is smoothed exponentially (Holt's linear method with a damped trend, in error-correction
   form). The smoothing and whether a trend is used are chosen by the smallest one-step error on
   this year's own periods, with a penalty for the trend (an information criterion), so a level
   follows recent weeks more than old ones when the year has moved, and a steady year is
   averaged over all its weeks.
5. **Forecast.** What is counted so far plus the level (with its damped trend) times the
   expected weight of every period ahead.
6. **Range (80 %).** The larger of two:
   - the model's own: the period-to-period noise seen this year carried through the smoothing
     (the variance of a sum of exponential-smoothing forecasts), the uncertainty of the level,
     and the uncertainty of the profile, larger with fewer history years;
   - the back-test's (conformal): the method replayed on each history year that has a year before
     it, at the same point of the year and two and four weeks either side, gives the relative
     errors of its year-ends; the 80th percentile of their sizes (the largest with fewer than
     three years replayed, widened by a half with one year and a fifth with two) times the
     forecast rest of the year.
   So a range is never narrower than the method has earned on the organisation's own past.

Nothing is forecast when no period so far had an open day or nothing was counted: a level of
zero says nothing about the rest of the year.
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
