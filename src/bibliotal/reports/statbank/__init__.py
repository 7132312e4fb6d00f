"""Danmarks Statistik's Statbank: read its semicolon CSV files and fetch them from its API.

Three tables are used: BIB2B (the public libraries' activities: visitors, events, user
education), IBIB2 (loans and borrowers by age, quarterly) and FOLK1A (population on the first
day of each quarter). The figures are public (CC BY 4.0) and kept once for every organisation,
with where and when they were fetched.

Two layouts are read:

- the API's (``https://api.statbank.dk/v1/data/<TABLE>/CSV?...``): a header of variable names
  such as ``OMRÅDE;AKTIVITET;TID;INDHOLD``, then one row per figure; ``TID`` is the period and
  ``INDHOLD`` the value;
- the Statbank website's "semicolon separated" download: a few title lines, then a header row
  whose last cells are the periods, then rows whose first cells name the variables' values
  (left empty where they repeat the row above) and whose last cells are the figures.

Areas may be written as codes ("657", "000") or as names ("Herning", "Hele landet"). A figure
written ".." (not available or confidential), "." (not applicable) or left empty is one
Danmarks Statistik does not publish: it is kept as "no figure", never as 0. Its sign "-" (or
"–") means nil and is read as 0. In the website's layout a row that names an area and every
variable but has no figures is such a row of figures not published; any other row without
figures (a note such as "Kilde: …", a heading) is skipped.

Periods become years. A year figure is kept as it is. Of quarters (2021K1) or months (2021M01):
for FOLK1A, a count on the first day of the period, the year's figure is the first quarter's or
month's (1 January); for the other tables the year's figure is the sum of all its quarters or
months, and a year with one missing is left out and named in the summary, as is a count of
persons (borrowers), which is never added up across periods.
"""

from bibliotal.reports.comparison import comparison
from bibliotal.reports.statbank.api import sync_statbank
from bibliotal.reports.statbank.files import TABLES, parse_statbank
from bibliotal.reports.statbank.services import StatbankResult, import_statbank_csv

__all__ = [
    "TABLES",
    "StatbankResult",
    "comparison",
    "import_statbank_csv",
    "parse_statbank",
    "sync_statbank",
]
