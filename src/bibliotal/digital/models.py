"""Digital offers (digitale tilbud): platforms, the figures reported for them (e-loans, unique
users, visits, COUNTER metrics), loan-quota changes and campaigns.

A figure is kept exactly as reported: its platform, metric, material type, age band, period and,
for unique users, the method behind it. Unique users are never added up across periods or
platforms; loans and the other counts may be.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, ImportBatch, Organisation


class Platform(models.Model):
    class Kind(models.TextChoices):
        EREOLEN = "ereolen", "eReolen"
        EREOLEN_GO = "ereolen_go", "eReolen Go"
        WEBSITE = "website", _("Website")
        APP = "app", _("App")
        FILMSTRIBEN = "filmstriben", "Filmstriben"
        PRESSREADER = "pressreader", "PressReader"
        DATABASE = "database", _("Licensed database (COUNTER)")
        ALL = "all", _("All digital platforms together")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="platforms",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    for_children = models.BooleanField(
        _("children's platform"),
        default=False,
        help_text=_("Every loan here counts as a child's loan (eReolen Go)."),
    )
    headline = models.BooleanField(
        _("the goal's unique users"),
        default=False,
        help_text=_(
            "The unique users of this platform are the figure the goal on unique users "
            "follows. Unique users of several platforms are never added up."
        ),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="platform_name_unique"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(headline=True),
                name="one_headline_platform",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Names are data, in the language of the Danish libraries that use them; rename them freely.
DEFAULT_PLATFORMS = [
    ("eReolen", Platform.Kind.EREOLEN, False),
    ("eReolen Go", Platform.Kind.EREOLEN_GO, True),
    ("Hjemmeside", Platform.Kind.WEBSITE, False),
    ("App", Platform.Kind.APP, False),
    ("Filmstriben", Platform.Kind.FILMSTRIBEN, False),
    ("PressReader", Platform.Kind.PRESSREADER, False),
]


def ensure_platforms(organisation) -> None:
    """Give an organisation the usual Danish platforms the first time it needs them."""
    if Platform.objects.filter(organisation=organisation).exists():
        return
    for name, kind, children in DEFAULT_PLATFORMS:
        Platform.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"kind": kind, "for_children": children},
        )


class Metric(models.TextChoices):
    LOANS = "loans", _("Loans")
    UNIQUE_USERS = "unique_users", _("Unique users")
    VISITS = "visits", _("Visits (sessions)")
    PAGE_VIEWS = "page_views", _("Page views")
    ACTIONS = "actions", _("Actions (page views, downloads, links)")
    SEARCHES = "searches", _("Searches")
    # COUNTER Release 5 metric types, named as the code of practice names them.
    TOTAL_ITEM_INVESTIGATIONS = "Total_Item_Investigations", "Total_Item_Investigations"
    TOTAL_ITEM_REQUESTS = "Total_Item_Requests", "Total_Item_Requests"
    UNIQUE_ITEM_INVESTIGATIONS = "Unique_Item_Investigations", "Unique_Item_Investigations"
    UNIQUE_ITEM_REQUESTS = "Unique_Item_Requests", "Unique_Item_Requests"
    UNIQUE_TITLE_INVESTIGATIONS = "Unique_Title_Investigations", "Unique_Title_Investigations"
    UNIQUE_TITLE_REQUESTS = "Unique_Title_Requests", "Unique_Title_Requests"
    SEARCHES_REGULAR = "Searches_Regular", "Searches_Regular"
    SEARCHES_AUTOMATED = "Searches_Automated", "Searches_Automated"
    SEARCHES_FEDERATED = "Searches_Federated", "Searches_Federated"
    SEARCHES_PLATFORM = "Searches_Platform", "Searches_Platform"
    LIMIT_EXCEEDED = "Limit_Exceeded", "Limit_Exceeded"
    NO_LICENSE = "No_License", "No_License"


COUNTER_METRICS = frozenset(m for m in Metric.values if m[0].isupper())


class Material(models.TextChoices):
    NONE = "", _("Not split by material")
    EBOOK = "ebook", _("E-book")
    EAUDIOBOOK = "eaudiobook", _("E-audiobook")
    PODCAST = "podcast", _("Podcast")
    FILM = "film", _("Film")


class AgeBand(models.TextChoices):
    ALL = "all", _("All ages")
    CHILDREN = "children", _("Children 0–13")
    YOUNG = "young", _("Young 14–17")
    ADULTS = "adults", _("Adults 18+")
    UNKNOWN = "unknown", _("Age unknown")


class Method(models.TextChoices):
    NONE = "", _("Counted")
    COOKIE = "cookie", _("Cookie-based web analytics")
    LOGIN = "login", _("Login-based (borrowers)")


class PeriodKind(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    OTHER = "other", _("Other period")


def period_kind(start: date, end: date) -> str:
    if start == end:
        return PeriodKind.DAY
    month_end = calendar.monthrange(end.year, end.month)[1]
    if start.day != 1 or end.day != month_end:
        return PeriodKind.OTHER
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return PeriodKind.MONTH
    if months == 3 and start.month in (1, 4, 7, 10):
        return PeriodKind.QUARTER
    if months == 12 and start.month == 1:
        return PeriodKind.YEAR
    return PeriodKind.OTHER


def item_key(report: str, item: str, attributes: str) -> str:
    """One short key for a COUNTER row's item and attributes (they may be long)."""
    if not (report or item or attributes):
        return ""
    return hashlib.sha1(f"{report}\x1f{item}\x1f{attributes}".encode()).hexdigest()


class DigitalFigure(models.Model):
    """One figure as reported: a platform's metric for a period, material type and age band."""

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed")
        IMPORTED = "imported", _("Imported")
        ESTIMATED = "estimated", _("Estimated")

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="figures", verbose_name=_("platform")
    )
    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices)
    material = models.CharField(
        _("material type"), max_length=20, choices=Material.choices, blank=True, default=""
    )
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.ALL
    )
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, blank=True, default=""
    )
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    period = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    value = models.PositiveBigIntegerField(_("value"))
    report = models.CharField(
        _("COUNTER report"), max_length=10, blank=True, help_text=_("Report_ID, e.g. TR_B1.")
    )
    item = models.TextField(_("item"), blank=True, help_text=_("Title, database or platform."))
    attributes = models.TextField(_("attributes"), blank=True)
    key = models.CharField(max_length=40, blank=True, editable=False)
    source = models.CharField(
        _("provenance"), max_length=10, choices=Source.choices, default=Source.IMPORTED
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    plausibility = models.CharField(
        _("plausibility review"),
        max_length=10,
        blank=True,
        default="",
        choices=[
            ("held", _("Held out of the goals")),
            ("accepted", _("Accepted as reported")),
            ("corrected", _("Corrected")),
        ],
        help_text=_("Far outside the platform's normal, or above the ceiling."),
    )
    original_value = models.PositiveBigIntegerField(
        _("value as reported"), null=True, blank=True, help_text=_("Kept when corrected.")
    )
    plausibility_note = models.CharField(_("why it was held"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("digital figure")
        verbose_name_plural = _("digital figures")
        ordering = ["platform", "start", "metric", "material", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "platform",
                    "metric",
                    "material",
                    "age_band",
                    "method",
                    "start",
                    "end",
                    "key",
                ],
                name="digital_figure_once",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="digital_period_order"
            ),
        ]
        # Leading with the platform (one organisation's): a provider's query reads its own
        # organisation's figures, however many organisations share the table.
        indexes = [
            models.Index(fields=["platform", "metric", "start"], name="digital_platform_metric")
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.metric} {self.start}–{self.end}: {self.value}"

    def save(self, *args, **kwargs):
        self.period = period_kind(self.start, self.end)
        self.key = item_key(self.report, self.item, self.attributes)
        super().save(*args, **kwargs)

    @property
    def estimated(self) -> bool:
        return self.source == self.Source.ESTIMATED


class QuotaChange(models.Model):
    """A change of a platform's monthly loan quota: it moves the loans, so charts mark it."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="quota_changes", verbose_name=_("platform")
    )
    day = models.DateField(_("from"))
    quota_before = models.PositiveIntegerField(_("quota before"), null=True, blank=True)
    quota_after = models.PositiveIntegerField(_("quota after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("loan-quota change")
        verbose_name_plural = _("loan-quota changes")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.platform} {self.day}"


class Campaign(models.Model):
    class TargetGroup(models.TextChoices):
        ALL = "all", _("Everyone")
        CHILDREN = "children", _("Children")
        YOUNG = "young", _("Young people")
        ADULTS = "adults", _("Adults")
        FAMILIES = "families", _("Families")
        SENIORS = "seniors", _("Seniors")
        SCHOOLS = "schools", _("Schools")

    class Area(models.TextChoices):
        """The area types of the libraries (a campaign reaches the libraries of its areas)."""

        CITY = Branch.AreaType.CITY.value, Branch.AreaType.CITY.label
        CENTRE_TOWN = Branch.AreaType.CENTRE_TOWN.value, Branch.AreaType.CENTRE_TOWN.label
        RURAL = Branch.AreaType.RURAL.value, Branch.AreaType.RURAL.label

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="campaigns",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    offer = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("offer"),
    )
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup.choices, default=TargetGroup.ALL
    )
    areas = models.JSONField(
        _("areas"), default=list, blank=True, help_text=_("None chosen: all areas.")
    )
    channels = models.CharField(
        _("channels"),
        max_length=300,
        blank=True,
        help_text=_("For example: Facebook, schools' intranet, posters, newsletter."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    description = models.TextField(_("description"), blank=True)
    indicators = models.JSONField(
        _("figures to compare"), default=list, blank=True, help_text=_("Indicator keys.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="campaign_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def area_labels(self) -> list[str]:
        if not self.areas:
            return [str(_("All areas"))]
        labels = dict(self.Area.choices)
        return [str(labels.get(a, a)) for a in self.areas]
