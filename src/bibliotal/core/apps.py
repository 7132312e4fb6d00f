from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bibliotal.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from bibliotal.core import audit, checks, signals  # noqa: F401  (registers them)

        audit.register_core_models()
        from bibliotal.core import dashboard

        dashboard.register_core_panels()
