from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "bibliotal.guidance"
    label = "guidance"
    verbose_name = _("Guidance")

    def ready(self) -> None:
        from bibliotal.core import audit
        from bibliotal.goals import indicators
        from bibliotal.guidance import demo, models, signals  # noqa: F401  (registers them)
        from bibliotal.guidance.indicators import GuidanceProvider
        from bibliotal.guidance.indicators import statistics as guidance_statistics

        audit.register(models.GuidanceTopic)
        audit.register(models.KioskDevice, exclude=("key_digest", "last_seen_at"))
        indicators.attach_provider("guidance", GuidanceProvider())
        indicators.add_statistics_source(guidance_statistics)
        from bibliotal.core import sources
        from bibliotal.guidance.completeness import completeness_source

        sources.register_completeness(completeness_source)
        from bibliotal.guidance import dashboard

        dashboard.register()

        from bibliotal.core.setup import register_setup_step
        from bibliotal.guidance.setup import default_topics

        register_setup_step("guidance.topics", default_topics, order=20)

        from django.db.models.signals import post_migrate

        from bibliotal.guidance.totals import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="guidance-day-totals")
