from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "bibliotal.goals"
    label = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        from bibliotal.core import audit, public
        from bibliotal.goals import demo, models  # noqa: F401  (registers the demo step)
        from bibliotal.goals import public as goals_public

        audit.register(models.BudgetYear)
        audit.register(models.BudgetDocument, exclude=("text",))
        audit.register(models.FocusArea, organisation=lambda f: f.budget_year.organisation_id)
        audit.register(
            models.Target, organisation=lambda t: t.focus_area.budget_year.organisation_id
        )
        audit.register(models.GoalSettings)
        public.register_public_pages(goals_public.public_pages)
        from bibliotal.goals import dashboard

        dashboard.register_panels()

        from bibliotal.goals import importing

        importing.register()
