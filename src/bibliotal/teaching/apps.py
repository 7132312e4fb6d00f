from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachingConfig(AppConfig):
    name = "bibliotal.teaching"
    label = "teaching"
    verbose_name = _("Teaching")

    def ready(self) -> None:
        from bibliotal.core import audit, public
        from bibliotal.goals import indicators
        from bibliotal.teaching import demo, models  # noqa: F401  (registers the demo step)
        from bibliotal.teaching import public as teaching_public
        from bibliotal.teaching.indicators import PupilsTaughtProvider
        from bibliotal.teaching.indicators import statistics as teaching_statistics

        audit.register(models.Institution)
        audit.register(models.Course)
        audit.register(
            models.Booking,
            # The teacher's contact data and free text are deleted after the course; the log
            # must not keep a copy.
            exclude=("teacher_email", "teacher_name", "wished_dates", "staff_note"),
            organisation=lambda b: b.course.organisation_id,
        )
        audit.register(models.TeachingSession, organisation=lambda s: s.branch.organisation_id)
        indicators.attach_provider("pupils_taught", PupilsTaughtProvider())
        indicators.add_statistics_source(teaching_statistics)
        public.register_public_pages(teaching_public.public_pages)
        from bibliotal.core import sources
        from bibliotal.teaching.completeness import completeness_source

        sources.register_completeness(completeness_source)

        from bibliotal.teaching import dashboard

        dashboard.register()
        from bibliotal.core import tasks
        from bibliotal.teaching.services import purge_teacher_contacts

        # BIBLIOTAL_TEACHER_CONTACT_DAYS after the class, the worker deletes the contact data.
        tasks.register_nightly("teaching.purge_contacts", purge_teacher_contacts)

        from bibliotal.teaching import importing

        importing.register()
