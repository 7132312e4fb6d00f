"""Danish formats, as Danish officialdom writes them: times with a point (kl. 09.00, as
Retskrivningsordbogen and the municipalities write them; Django's own Danish formats have a
colon), month and weekday abbreviations with their point (1. dec. 2021, tir.).

Besides Django's names, Bibliotal names the formats its pages and documents use, so that each
language says once how it writes them: ``{{ day|date:"ABBR_DATE_FORMAT" }}`` in a template,
``formats.date_format(day, "ABBR_DATE_FORMAT")`` in Python (Django looks every name up in the
active language's format module first). ``N`` is the abbreviated month with its point: its
Danish forms (jan., feb., mar., …, maj, jun., jul., sep.) are in Bibliotal's catalogue under
Django's context "abbrev. month"; ``M`` would write them with a capital and without the point.
"""

DATE_FORMAT = "j. F Y"  # 1. december 2021
TIME_FORMAT = "H.i"  # 09.00
DATETIME_FORMAT = "j. F Y H.i"
YEAR_MONTH_FORMAT = "F Y"  # december 2021
MONTH_DAY_FORMAT = "j. F"  # 1. december
SHORT_DATE_FORMAT = "d.m.Y"  # 01.12.2021
SHORT_DATETIME_FORMAT = "d.m.Y H.i"

ABBR_DATE_FORMAT = "j. N Y"  # 1. dec. 2021
ABBR_DATETIME_FORMAT = "j. N Y H.i"
ABBR_MONTH_DAY_FORMAT = "j. N"  # 1. dec.
ABBR_MONTH_DAY_TIME_FORMAT = "j. N H.i"
ABBR_YEAR_MONTH_FORMAT = "N Y"  # dec. 2021
ABBR_MONTH_FORMAT = "N"  # dec.
WEEKDAY_DATE_FORMAT = "l j. F Y"  # onsdag 1. december 2021
WEEKDAY_DATETIME_FORMAT = "l j. F Y H.i"
WEEKDAY_MONTH_DAY_FORMAT = "l j. F"  # onsdag 1. december
WEEKDAY_MONTH_DAY_TIME_FORMAT = "l j. F H.i"
ABBR_WEEKDAY_DATE_FORMAT = "D. j. N Y"  # ons. 1. dec. 2021
ABBR_WEEKDAY_DATETIME_FORMAT = "D. j. N Y H.i"
ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT = "D. j. N H.i"  # ons. 1. dec. 09.00

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
