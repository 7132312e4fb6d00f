"""What the monthly status e-mail says: every target in one line, what needs the manager, a link
to the goals page, and the målopfølgning PDF attached (the same file as the report page's
"PDF for the committee" button, ``services.make_report``).

Registered with ``core.mail.status`` from ``ReportsConfig.ready``; called in the subscription's
language. The e-mail sent on the first working day of a month reports per the last day of the
month before: the goals year is that day's year when it has targets, else the latest year with
targets.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from bibliotal.core import sources
from bibliotal.core.mail.outbox import Attachment
from bibliotal.core.mail.status import StatusMail
from bibliotal.goals.models import BudgetYear
from bibliotal.reports import content, services


def report_date(today: date) -> date:
    """The last day of the month before: the status of a month that has ended."""
    return today.replace(day=1) - timedelta(days=1)


def goals_year(organisation, day: date) -> int | None:
    """``day``'s year if it has targets, else the latest year with targets up to it, else the
    first one after it; None where no year has a target."""
    years = sorted(
        BudgetYear.objects.filter(organisation=organisation, focus_areas__targets__isnull=False)
        .values_list("year", flat=True)
        .distinct()
    )
    if not years:
        return None
    if day.year in years:
        return day.year
    before = [year for year in years if year < day.year]
    return before[-1] if before else years[0]


def _absolute(base: str, path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{base.rstrip('/')}{path}" if base else path


def target_line(entry: content.TargetEntry) -> str:
    """One target's status in one sentence: result and target, and the forecast while the
    period runs, or the final status once it is over."""
    values = {
        "status": entry.status_label,
        "actual": entry.number("actual"),
        "unit": entry.unit,
        "target": entry.target_text,
        "date": formats.date_format(entry.computed.at, "MONTH_DAY_FORMAT"),
    }
    if entry.row["actual"] is None:
        reason = entry.computed.notes[0] if entry.computed.notes else ""
        line = _("%(status)s: no figures yet.") % values
        return f"{line} {reason}".strip()
    if entry.computed.actual_period:
        values["date"] = entry.computed.actual_period
    if entry.final:
        if entry.row["target_value"] is None:
            return _("%(status)s: %(actual)s %(unit)s.") % values
        return _("%(status)s: %(actual)s %(unit)s against the target of %(target)s.") % values
    if entry.row["target_value"] is None:
        line = _("%(status)s: %(actual)s %(unit)s by %(date)s.") % values
    else:
        line = (
            _("%(status)s: %(actual)s %(unit)s by %(date)s against the target of %(target)s.")
            % values
        )
    if entry.forecast_text:
        line += " " + _("Forecast for the year: %(forecast)s.") % {"forecast": entry.forecast_text}
    return line


def build_status_mail(*, subscription, today: date) -> StatusMail:
    organisation = subscription.organisation
    base = subscription.site_url
    at = report_date(today)
    year = goals_year(organisation, at)
    items = sources.attention(organisation=organisation, user=subscription.user, today=today)
    attention = [
        {"label": str(item.label), "url": _absolute(base, item.url), "details": item.details}
        for item in items
    ]
    context = {
        "organisation": organisation,
        "year": year,
        "attention": attention,
        "subscription_url": _absolute(base, reverse("core:status_mail")),
        "import_url": _absolute(base, reverse("goals:document_import")),
        "language": subscription.language,
    }
    attachment = None
    if year is None:
        subject = _("Status of the goals – %(organisation)s: no targets yet") % {
            "organisation": organisation
        }
        context.update(lines=[], needs_target=[], heading=subject)
    else:
        if year != at.year:
            at = date(year, 12, 31) if year < at.year else date(year, 1, 1)
        # The report once, with its charts, for both the lines and the PDF (the page's
        # download makes the same file: ``services.make_report``).
        report = content.build_report(
            organisation=organisation, year=year, at=at, language=subscription.language
        )
        made = services.ReportFile(
            services.filename(
                prefix="maalopfoelgning",
                organisation=organisation,
                year=year,
                at=report.at,
                extension="pdf",
            ),
            services.FORMATS["pdf"],
            services.render(report, "pdf"),
        )
        attachment = Attachment(made.filename, made.content_type, made.data)
        subject = _("Status of the goals %(year)s per %(date)s – %(organisation)s") % {
            "year": year,
            "date": formats.date_format(report.at, "DATE_FORMAT"),
            "organisation": organisation,
        }
        context.update(
            heading=_("Status of the goals %(year)s") % {"year": year},
            subtitle=report.subtitle,
            lines=[
                {"title": entry.title, "line": target_line(entry), "status": entry.row["status"]}
                for entry in report.entries
            ],
            needs_target=[
                content.needs_target_text(target)
                for area in report.areas
                for target in area.needs_target
            ],
            goals_url=_absolute(base, reverse("goals:year_detail", args=[year])),
            report_url=_absolute(base, reverse("reports:report_detail", args=[year])),
            attachment_name=made.filename,
        )
    return StatusMail(
        subject=subject,
        body=plain_text(context),
        html=render_to_string("reports/status_mail.html", context),
        attachment=attachment,
    )


def plain_text(context: dict) -> str:
    lines = [context["heading"], str(context["organisation"])]
    if context.get("subtitle"):
        lines.append(context["subtitle"])
    lines.append("")
    if context["year"] is None:
        lines += [
            _("There are no measurable targets in Bibliotal yet, so there is no status to send."),
            _("Import the budget goals: %(url)s") % {"url": context["import_url"]},
            "",
        ]
    else:
        lines += [_("The targets"), ""]
        if not context["lines"]:
            lines.append(
                _("There are no measurable targets for %(year)s.") % {"year": context["year"]}
            )
        for row in context["lines"]:
            lines += [f"* {row['title']}", f"  {row['line']}"]
        if context["needs_target"]:
            lines += ["", _("Goals without a measurable target")]
            lines += [f"* {text}" for text in context["needs_target"]]
        lines += ["", _("The goals page: %(url)s") % {"url": context["goals_url"]}]
        lines.append(
            _("The report for the committee is attached as PDF (%(name)s).")
            % {"name": context["attachment_name"]}
        )
        lines.append("")
    lines += [_("What needs you"), ""]
    if context["attention"]:
        for item in context["attention"]:
            lines.append(f"* {item['label']}: {item['url']}")
            lines += [f"  {detail}" for detail in item["details"]]
    else:
        lines.append(_("Nothing waits for you."))
    lines += [
        "",
        "-- ",
        _(
            "You get this e-mail on the first working day of each month because you subscribed "
            "to the status by e-mail in Bibliotal. Change or stop it here: %(url)s"
        )
        % {"url": context["subscription_url"]},
    ]
    return "\n".join(lines) + "\n"
