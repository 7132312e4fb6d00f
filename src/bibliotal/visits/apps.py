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
        audit.register(models.HeldHour, organisation=lambda h: h.branch.organisation_id)
        indicators.attach_provider("visits", VisitsProvider())
        indicators.contribute_provider("new_users", NewRegistrationsProvider())

        from bibliotal.core import sources
        from bibliotal.visits.completeness import completeness_source

        sources.register_completeness(completeness_source)

        from bibliotal.visits import dashboard

        dashboard.register()

        from bibliotal.visits import importing

        importing.register()

        from bibliotal.core.opening import on_calendar_change
        from bibliotal.visits.cleaning import derive_again

        # A closure or opening hours entered after the counts: the daily visits follow.
        on_calendar_change(derive_again)
