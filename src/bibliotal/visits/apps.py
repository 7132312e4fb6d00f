from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "bibliotal.visits"
    label = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from bibliotal.core import audit
        from bibliotal.goals import indicators
        from bibliotal.visits import demo, models  # noqa: F401  (registers the demo step)
        from bibliotal.visits.indicators import NewRegistrationsProvider, VisitsProvider

        audit.register(models.Sensor, organisation=lambda s: s.branch.organisation_id)
        audit.register(models.ManualCount, organisation=lambda c: c.branch.organisation_id)
        audit.register(models.NewUserCount, organisation=lambda c: c.branch.organisation_id)
        audit.register(models.CounterFormat)
        indicators.attach_provider("visits", VisitsProvider())
        indicators.contribute_provider("new_users", NewRegistrationsProvider())
