"""A server process compiles its templates and freezes its startup objects before serving."""

import gc

from django.conf import settings
from django.template import engines

from bibliotal.core.startup import prepare_process


def test_a_server_process_compiles_every_template_and_freezes_what_it_made():
    folder = settings.TEMPLATES[0]["DIRS"][0]
    expected = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".txt")]
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()  # nothing compiled yet, whatever earlier tests rendered
    frozen_before = gc.get_freeze_count()
    try:
        assert prepare_process() == len(expected) > 100
        assert gc.get_freeze_count() > frozen_before + 100_000  # Django, Bibliotal, templates
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    # The templates are now the cached loader's: asking again compiles nothing.
    assert len(loader.get_template_cache) >= len(expected)


def test_a_template_that_does_not_compile_does_not_keep_the_server_from_starting(
    tmp_path, settings, caplog
):
    (tmp_path / "good.html").write_text("{{ fine }}")
    (tmp_path / "broken.html").write_text("{% if %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path], "APP_DIRS": False}]
    from django.template import engines as fresh

    try:
        assert prepare_process() == 1
    finally:
        gc.unfreeze()
    assert "broken.html does not compile" in caplog.text
    assert fresh["django"].engine.dirs == [tmp_path]
