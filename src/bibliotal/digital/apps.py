from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitalConfig(AppConfig):
    name = "bibliotal.digital"
    label = "digital"
    verbose_name = _("Digital offers")

    def ready(self) -> None:
        from bibliotal.core import audit
        from bibliotal.digital import demo, indicators, models  # noqa: F401  (demo step)
        from bibliotal.goals import indicators as registry

        audit.register(models.Platform)
        audit.register(models.Campaign)
        audit.register(models.DigitalFigure, organisation=lambda f: f.platform.organisation_id)
        audit.register(models.QuotaChange, organisation=lambda q: q.platform.organisation_id)
        registry.attach_provider("ebook_loans", indicators.LoansProvider(material="ebook"))
        registry.attach_provider(
            "eaudiobook_loans", indicators.LoansProvider(material="eaudiobook")
        )
        registry.attach_provider(
            "child_ebook_loans", indicators.LoansProvider(material="ebook", children=True)
        )
        registry.attach_provider("digital_unique_users", indicators.UniqueUsersProvider())
        registry.add_annotation_source(indicators.annotations)

        from bibliotal.core import sources
        from bibliotal.digital.completeness import completeness_source

        sources.register_completeness(completeness_source)

        from bibliotal.digital import importing

        importing.register()

        from bibliotal.core.setup import register_setup_step
        from bibliotal.digital.setup import default_platforms

        register_setup_step("digital.platforms", default_platforms, order=40)
