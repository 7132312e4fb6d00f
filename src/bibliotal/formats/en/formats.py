"""English formats: day before month, 24-hour times in whole minutes (1 Dec 2021, 09:00).

The names beside Django's are Bibliotal's own (see ``bibliotal/formats/da/formats.py``); every
name there is here too.
"""

DATE_FORMAT = "j F Y"  # 1 December 2021
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"  # 01.12.2021, as European readers write it (never 12/01)
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

ABBR_DATE_FORMAT = "j M Y"  # 1 Dec 2021
ABBR_DATETIME_FORMAT = "j M Y H:i"
ABBR_MONTH_DAY_FORMAT = "j M"
ABBR_MONTH_DAY_TIME_FORMAT = "j M H:i"
ABBR_YEAR_MONTH_FORMAT = "M Y"
ABBR_MONTH_FORMAT = "M"
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = "l j F Y H:i"
WEEKDAY_MONTH_DAY_FORMAT = "l j F"
WEEKDAY_MONTH_DAY_TIME_FORMAT = "l j F H:i"
ABBR_WEEKDAY_DATE_FORMAT = "D j M Y"
ABBR_WEEKDAY_DATETIME_FORMAT = "D j M Y H:i"
ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT = "D j M H:i"

TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
