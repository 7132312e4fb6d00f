from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "bibliotal.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from bibliotal.core import audit, public
        from bibliotal.events import demo, models, programme, signals  # noqa: F401  (registers them)
        from bibliotal.events.indicators import (
            EventParticipantsProvider,
            EventsHeldProvider,
            FirstTimeParticipantsProvider,
        )
        from bibliotal.events.indicators import statistics as events_statistics
        from bibliotal.goals import indicators

        audit.register(models.EventType)
        audit.register(models.EventSeries)
        audit.register(models.EventOccurrence)
        audit.register(models.CategoryMapping)
        audit.register(models.EventFeed)
        indicators.attach_provider("event_participants", EventParticipantsProvider())
        indicators.attach_provider("events_held", EventsHeldProvider())
        indicators.contribute_provider("new_users", FirstTimeParticipantsProvider())
        indicators.add_statistics_source(events_statistics)
        public.register_public_pages(programme.public_pages)
        from bibliotal.core import sources
        from bibliotal.events.completeness import completeness_source

        sources.register_completeness(completeness_source)

        from bibliotal.events import dashboard

        dashboard.register()

        from bibliotal.events import importing

        importing.register()

        from bibliotal.core.setup import register_setup_step
        from bibliotal.events.setup import default_event_types

        register_setup_step("events.types", default_event_types, order=30)
