"""A real OpenID provider for the sign-in tests: django-oauth-toolkit, in a process of its own.

``serve.py`` starts it on 127.0.0.1 at a free port, with a SQLite database and its own signing
key in the directory it is given, and prints the port when it answers. People, passwords and
the client come from ``setup.json`` in that directory; each person's groups from
``groups.json``, read at every sign-in, so a test can move someone to other groups.
"""
