from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bibliotal.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.urls import register_converter

        from bibliotal.core import audit, checks, signals  # noqa: F401  (registers them)
        from bibliotal.core.converters import YearConverter

        register_converter(YearConverter, "year")  # before any URLconf is read

        audit.register_core_models()
        from bibliotal.core import dashboard

        dashboard.register_core_panels()

        from bibliotal.core import importing

        importing.register()

        from bibliotal.core import tasks, uploads

        # A preview's copy of a file is kept an hour at most, even when no one uploads again.
        tasks.register_nightly("core.sweep_uploads", uploads.sweep)
