"""WSGI entry point for gunicorn or any WSGI server.

A database that is missing, unreachable or not migrated to this version stops the server as it
loads, in one line on standard error and with exit status 4 (gunicorn's "App failed to load",
which stops gunicorn instead of restarting the worker forever).

Before the first request the process imports its views and compiles its templates, and then
keeps them out of the garbage collector's walks (``core.startup``).
"""

import os
import sys

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")


def _refuse_a_database_not_ready() -> None:
    from bibliotal import envconf
    from bibliotal.core import dbstate

    refusal = None if envconf.PROBLEMS else dbstate.refusal(dbstate.inspect())
    if refusal is not None:
        sys.stderr.write(refusal.line + "\n")
        sys.stderr.flush()
        raise SystemExit(4)
    envconf.create_data_dirs()


if os.environ["DJANGO_SETTINGS_MODULE"] == "bibliotal.settings":
    from bibliotal import envconf

    envconf.DEFER_CREATING = True  # a refused start leaves no data directory behind
    django.setup(set_prefix=False)
    _refuse_a_database_not_ready()
application = get_wsgi_application()

if os.environ["DJANGO_SETTINGS_MODULE"] == "bibliotal.settings":
    from django.conf import settings

    from bibliotal.core.startup import prepare_process

    if not settings.DEBUG:  # the development server reloads, and reads templates afresh
        prepare_process()
