"""The texts of notifications, in Russian and English (gettext; msgids in English, Russian in the app's
django.po). A message is rendered from its kind and parameters, which hold only case codes, question and signal
numbers, tasks (masked by the personal-data detector), organisation names, deadlines and links — never a
recipient's name, address, phone or any other personal data, not even fields shared with the partner."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.cases.models import Measure, Signal
from portal.community.models import Urgency
from portal.core import personal_data
from portal.notifications.models import Kind
from portal.partners.models import HelpKind


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@lru_cache(maxsize=4096)
def _masked(text: str) -> str:
    """The detector's masking, remembered: a region's tasks repeat (the same few kinds of help), and the detector's
    dictionary look-ups cost a few milliseconds a text."""
    return personal_data.mask(text).text


def safe_task(task: str, names: Iterable[str] = ()) -> str:
    """A measure's task as messages show it. A task is free text a coordinator wrote and may name the family:
    personal data the detector finds is masked, and so is any word that is a form of one of `names` (the names
    of the case's persons, in whatever case the grammar put them: «навестить Смирнову»)."""
    text = _masked(task or "")
    stems = {name.lower()[:max(3, len(name) - 2)] for name in names if name and len(name) >= 3}
    if stems:
        hidden = personal_data.placeholder(personal_data.Kind.FULL_NAME)

        def masked(match: re.Match[str]) -> str:
            word = match.group(0).lower()
            return hidden if any(word.startswith(stem) for stem in stems) else match.group(0)

        text = re.sub(r"[^\W\d_]+", masked, text)
    return text[:300]


def _date(value: str | dt.date | None) -> str:
    if not value:
        return "—"
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d.%m.%Y")


def _measure_line(item: Mapping[str, Any]) -> str:
    return _("%(case)s: «%(task)s», deadline %(deadline)s") % {
        "case": item["case"], "task": item["task"], "deadline": _date(item["deadline"])}


def _reason_label(code: str) -> str:
    """The coded reason of a return in the reader's language (the message is rendered in it)."""
    return str(Measure.ReasonCode(code).label) if code in Measure.ReasonCode.values else "—"


def _footer(params: Mapping[str, Any], *, opt_out: bool) -> str:
    link = params.get("link")
    lines = [_("Open: %(link)s") % {"link": link}] if link else []
    if opt_out:
        lines += ["", _("This message was sent by the interagency social-support portal. You can turn off "
                        "notifications of this kind in your notification settings: %(settings)s")
                  % {"settings": f"{settings.PUBLIC_BASE_URL}/notifications/settings/"}]
    return "\n".join(lines)


def _measure_assigned(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("New measure for %(organisation)s: case %(case)s") % p,
        _("A measure of the support programme of case %(case)s is assigned to %(organisation)s.\n\nTask: "
          "«%(task)s»\nDeadline: %(deadline)s\n\nPlease accept it in your workspace.")
        % {**p, "deadline": _date(p["deadline"])})


def _measure_withdrawn(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Measure of case %(case)s reassigned") % p,
        _("The measure «%(task)s» of case %(case)s is reassigned to another organisation. %(organisation)s no "
          "longer executes it.") % p)


def _measure_cancelled(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Measure of case %(case)s cancelled") % p,
        _("The measure «%(task)s» of case %(case)s (deadline %(deadline)s) is cancelled by the coordinator. "
          "Nothing more is to be done for it.") % {**p, "deadline": _date(p["deadline"])})


def _measure_due_soon(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Deadline %(deadline)s: measure of case %(case)s") % {**p, "deadline": _date(p["deadline"])},
        _("The deadline of the measure «%(task)s» of case %(case)s is %(deadline)s. Please report the result in "
          "your workspace when it is done.") % {**p, "deadline": _date(p["deadline"])})


def _measure_overdue(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Overdue: measure of case %(case)s") % p,
        _("The measure «%(task)s» of case %(case)s was due on %(deadline)s and is not reported fulfilled. "
          "Please report its result, or the reason it cannot be fulfilled, in your workspace.")
        % {**p, "deadline": _date(p["deadline"])})


def _measure_escalated(p: Mapping[str, Any]) -> Rendered:
    days = int(p["days"])
    return Rendered(
        _("Overdue for %(days)s working days: measure of case %(case)s") % p,
        ngettext(
            "The measure «%(task)s» of case %(case)s, assigned to %(organisation)s, was due on %(deadline)s and is "
            "overdue by %(days)s working day.",
            "The measure «%(task)s» of case %(case)s, assigned to %(organisation)s, was due on %(deadline)s and is "
            "overdue by %(days)s working days.", days) % {**p, "deadline": _date(p["deadline"])})


def _overdue_digest(p: Mapping[str, Any]) -> Rendered:
    items = list(p["items"])
    lines = [_("%(count)s measures are overdue by %(days)s working days or more:")
             % {"count": len(items), "days": p["days"]}, ""]
    lines += [f"— {_measure_line(item)} ({item['organisation']})" for item in items]
    return Rendered(_("Measures overdue for two weeks: %(count)s") % {"count": len(items)}, "\n".join(lines))


def _not_notified(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Organisation not notified: measure of case %(case)s") % p,
        _("%(organisation)s has no e-mail address for assignments, so it was not notified of the measure "
          "«%(task)s» of case %(case)s. Please tell it another way, or ask the registry administrator to add its "
          "address.") % p)


def _coordinator_digest(p: Mapping[str, Any]) -> Rendered:
    sections: list[tuple[str, list[str]]] = [
        (_("Interim reviews due within 7 days:"),
         [f"— {item['case']}: {_date(item['date'])}" for item in p.get("reviews", [])]),
        (_("Terms of support ending within 30 days:"),
         [f"— {item['case']}: {_date(item['date'])}" for item in p.get("terms_ending", [])]),
        (_("Terms of support lapsed (the case is not closed or extended):"),
         [f"— {item['case']}: {_date(item['date'])}" for item in p.get("terms_lapsed", [])]),
        (_("Measures reported not fulfilled:"),
         [f"— {_measure_line(item)} ({item['organisation']})" for item in p.get("not_fulfilled", [])]),
        (_("Measures returned by the organisation (reassign or cancel them):"),
         [f"— {_measure_line(item)} ({item['organisation']}: {_reason_label(item.get('reason', ''))})"
          for item in p.get("returned", [])]),
        (_("Agreements on interaction ending within 30 days (renew them or reassign the measures):"),
         [_("— %(organisation)s, agreement № %(number)s: until %(date)s") % {**item, "date": _date(item["date"])}
          for item in p.get("agreements_ending", [])]),
    ]
    lines: list[str] = []
    for title, items in sections:
        if items:
            lines += [title, *items, ""]
    count = sum(len(items) for _title, items in sections)
    return Rendered(_("Your cases: %(count)s items need attention") % {"count": count}, "\n".join(lines).rstrip())


def _question_reminder(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Question № %(number)s awaits your answer (%(days)s days)") % p,
        _("Question № %(number)s on «%(topic)s» was asked %(days)s days ago and is not answered yet. The answer is "
          "due on %(due)s.") % {**p, "due": _date(p["due"])})


def _question_overdue(p: Mapping[str, Any]) -> Rendered:
    return Rendered(
        _("Overdue: question № %(number)s") % p,
        _("Question № %(number)s on «%(topic)s» was due to be answered on %(due)s and is not answered. As a "
          "moderator of the topic, please reassign or answer it.") % {**p, "due": _date(p["due"])})


def _signal_status(p: Mapping[str, Any]) -> Rendered:
    p = {**p, "status": str(Signal.Status(p["status"]).label)}
    return Rendered(
        _("Your signal № %(number)s: %(status)s") % p,
        _("The status of the signal № %(number)s your organisation reported on %(received)s is now: %(status)s.\n"
          "The results of the check are confidential and are not sent.") % {**p, "received": _date(p["received"])})


def _needs_digest(p: Mapping[str, Any]) -> Rendered:
    items = [{**item, "kind": str(HelpKind(item["kind"]).label), "urgency": str(Urgency(item["urgency"]).label)}
             for item in p["items"]]
    lines = [_("New needs in your district that match the help you offer:"), ""]
    lines += [_("— need № %(number)s: %(kind)s, %(urgency)s") % item for item in items]
    lines += ["", _("Stop these messages: %(link)s") % {"link": p["unsubscribe"]}]
    return Rendered(_("New needs: %(count)s") % {"count": len(items)}, "\n".join(lines))


RENDERERS: dict[str, Callable[[Mapping[str, Any]], Rendered]] = {
    Kind.MEASURE_ASSIGNED: _measure_assigned,
    Kind.MEASURE_WITHDRAWN: _measure_withdrawn,
    Kind.MEASURE_CANCELLED: _measure_cancelled,
    Kind.MEASURE_DUE_SOON: _measure_due_soon,
    Kind.MEASURE_OVERDUE: _measure_overdue,
    Kind.MEASURE_ESCALATED: _measure_escalated,
    Kind.OVERDUE_DIGEST: _overdue_digest,
    Kind.NOT_NOTIFIED: _not_notified,
    Kind.COORDINATOR_DIGEST: _coordinator_digest,
    Kind.QUESTION_REMINDER: _question_reminder,
    Kind.QUESTION_OVERDUE: _question_overdue,
    Kind.SIGNAL_STATUS: _signal_status,
    Kind.NEEDS_DIGEST: _needs_digest,
}


def render(kind: str, params: Mapping[str, Any], *, language: str | None = None, opt_out: bool = False) -> Rendered:
    """Subject and body of a message in `language` (the site's default language when not given); `opt_out`:
    the recipient has an account, the footer says where to turn such messages off."""
    with translation.override(language or settings.LANGUAGE_CODE):
        rendered = RENDERERS[kind](params)
        footer = _footer(params, opt_out=opt_out)
        body = rendered.body + ("\n\n" + footer if footer else "")
        return Rendered(rendered.subject[:300], body)
