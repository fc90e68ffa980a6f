"""Lists of cases, persons and signals, searchable and filtered; the person card; the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.cases import selectors
from portal.cases.models import Signal
from portal.casework import forms
from portal.casework.actions import action_url
from portal.casework.cards import WorkspaceView, category_labels, need_labels
from portal.consultations.models import Question
from portal.consultations.selectors import question_queue
from portal.core.viewer import Role

PER_PAGE = 25


def count_of(kind: str, number: int) -> str:
    """«69 дел», «222 гражданина», «1 сигнал»: the Russian plural forms through ngettext."""
    texts = {
        "case": ngettext("%(count)d case", "%(count)d cases", number),
        "person": ngettext("%(count)d person", "%(count)d persons", number),
        "signal": ngettext("%(count)d signal", "%(count)d signals", number),
        "measure": ngettext("%(count)d measure", "%(count)d measures", number),
    }
    return texts[kind] % {"count": number}


def paginate(request: Any, rows: QuerySet[Any], kind: str) -> tuple[Page, str]:
    """A page of rows and its caption: «Показаны 1–25 из 69 дел»."""
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    total = paginator.count
    if not total:
        return page, ""
    return page, shown_of(kind, page.start_index(), page.end_index(), total)


def shown_of(kind: str, first: int, last: int, total: int) -> str:
    """«Показаны 1–25 из 69 дел»: after «из» Russian takes the genitive, so the caption is one plural message."""
    texts = {
        "case": ngettext("Shown %(first)d–%(last)d of %(total)d case",
                         "Shown %(first)d–%(last)d of %(total)d cases", total),
        "person": ngettext("Shown %(first)d–%(last)d of %(total)d person",
                           "Shown %(first)d–%(last)d of %(total)d persons", total),
        "signal": ngettext("Shown %(first)d–%(last)d of %(total)d signal",
                           "Shown %(first)d–%(last)d of %(total)d signals", total),
    }
    return texts[kind] % {"first": first, "last": last, "total": total}


def signal_url(signal: Signal) -> str:
    """The signal's page of the intake flow when it exists, else its page in the registry of signals."""
    try:
        return reverse("casework:signal", kwargs={"pk": signal.pk})
    except NoReverseMatch:
        return reverse("signals:inspect", args=(signal.pk,))


def _querystring(request: Any) -> str:
    query = request.GET.copy()
    query.pop("p", None)
    return query.urlencode()


class CaseListView(WorkspaceView):
    template_name = "casework/cases/cases.html"

    def get_page_title(self) -> str:
        return _("Cases")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = forms.CaseFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        rows = selectors.find_cases(
            self.viewer, text=data.get("q"), status=data.get("status") or None,
            overdue=forms.yes_no(data.get("overdue")), review_due=forms.yes_no(data.get("review_due")),
            term_ending=forms.yes_no(data.get("term_ending")), lapsed_term=forms.yes_no(data.get("lapsed")),
            precinct_id=data["precinct"].pk if data.get("precinct") else None,
            institution_id=data["institution"].pk if data.get("institution") else None)
        page, caption = paginate(self.request, rows, "case")
        for case in page.object_list:
            case.need_names = need_labels(case.need_circumstances)
        context.update(form=form, page=page, caption=caption, querystring=_querystring(self.request),
                       today=timezone.localdate())
        return context


class PersonListView(WorkspaceView):
    template_name = "casework/cases/persons.html"

    def get_page_title(self) -> str:
        return _("Persons")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = forms.PersonFilterForm(self.request.GET or None)
        text = form.cleaned_data.get("q") if form.is_valid() else None
        page, caption = paginate(self.request, selectors.find_persons(self.viewer, text=text), "person")
        context.update(form=form, page=page, caption=caption, querystring=_querystring(self.request))
        return context


class PersonCardView(WorkspaceView):
    template_name = "casework/cases/person.html"

    def get_page_title(self) -> str:
        return self.person.full_name

    def parent_crumbs(self) -> list[dict[str, Any]]:
        return [{"url": reverse("casework:persons"), "label": _("Persons")}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.person = person = selectors.get_person(viewer=self.viewer, person_id=self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        members = list(person.household.members.exclude(pk=person.pk).order_by("last_name", "first_name")) \
            if person.household is not None else []
        context.update(person=person, members=members, category_names=category_labels(person.categories),
                       cases=list(selectors.cases_of_person(viewer=self.viewer, person=person)
                                  .select_related("institution")),
                       consents=list(person.consents.order_by("-given_on", "-id")), today=timezone.localdate())
        return context


class SignalListView(WorkspaceView):
    template_name = "casework/cases/signals.html"

    def get_page_title(self) -> str:
        return _("Signals")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = forms.SignalFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        rows = selectors.find_signals(self.viewer, text=data.get("q"), status=data.get("status") or None)
        page, caption = paginate(self.request, rows, "signal")
        for signal in page.object_list:
            signal.url = signal_url(signal)
        context.update(form=form, page=page, caption=caption, querystring=_querystring(self.request))
        return context


class DashboardView(WorkspaceView):
    """The staff member's home (рабочий стол): search, and what needs attention now, for their role."""

    template_name = "casework/cases/dashboard.html"

    def get_page_title(self) -> str:
        return _("My work")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = self.viewer
        today = timezone.localdate()
        queues = selectors.staff_dashboard(viewer=viewer, today=today)
        limit = 10
        panels = []
        if viewer.is_staff_reader:
            signals = list(queues["new_signals"][:limit])
            for signal in signals:
                signal.url = signal_url(signal)
            panels = [
                ("signals", _("New signals"), queues["new_signals"].count(), signals),
                ("overdue", _("Overdue measures of my cases"), queues["overdue_measures"].count(),
                 list(queues["overdue_measures"][:limit])),
                ("reviews", _("Interim reviews due within 7 days"), queues["reviews_due"].count(),
                 list(queues["reviews_due"][:limit])),
                ("terms", _("Terms ending within 30 days"), queues["terms_ending"].count(),
                 list(queues["terms_ending"][:limit])),
                ("lapsed", _("Terms lapsed: extend or close"), queues["terms_lapsed"].count(),
                 list(queues["terms_lapsed"][:limit])),
            ]
            # Cases proposed to the viewer's institution when a family moved (передача дела): its coordinator
            # accepts or declines them (the selector the gateway's `incomingTransfers` reads too).
            incoming = selectors.incoming_transfers(viewer=viewer)
            if incoming.exists():
                rows = list(incoming[:limit])
                for transfer in rows:
                    # Read by the dashboard template (attributes of the row, not fields of the model).
                    transfer.accept_url = action_url("transfer", transfer, "accept")  # type: ignore[attr-defined]
                    transfer.decline_url = action_url("transfer", transfer, "decline")  # type: ignore[attr-defined]
                panels.insert(0, ("transfers", _("Cases transferred to us: accept or decline"), incoming.count(),
                                  rows))
        if viewer.has_role(Role.OPERATOR):  # an operator reads no cases: its own signals are its work
            mine = list(queues["my_signals"][:limit])
            for signal in mine:
                signal.url = signal_url(signal)
            panels.append(("my_signals", _("Signals I registered"), queues["my_signals"].count(), mine))
        questions = question_queue(viewer).filter(status__in=Question.OPEN_STATUSES,
                                                  specialist__user_id=viewer.user_id or 0)  # no account: none
        panels.append(("consultations", _("Unanswered consultations assigned to me"), questions.count(),
                       list(questions[:limit])))
        context.update(panels=panels, today=today, intake_links=existing_links(INTAKE_LINKS),
                       soon=today + dt.timedelta(days=7),
                       form=forms.CaseFilterForm(), reads_cases=viewer.is_staff_reader,
                       role_names=[str(label) for role, label in ROLE_LABELS.items() if viewer.has_role(role)])
        return context


#: Pages of the intake flow offered on the dashboard (when the flow provides them).
INTAKE_LINKS = (
    ("signal_new", gettext_lazy("Register a signal")),
    ("my_signals", gettext_lazy("Signals I registered")),
    ("household_new", gettext_lazy("Register a household")),
)


def existing_links(names: tuple[tuple[str, Any], ...], **kwargs: Any) -> list[tuple[str, Any]]:
    """(url, label) of the named workspace pages that exist."""
    links = []
    for name, label in names:
        try:
            links.append((reverse(f"casework:{name}", kwargs=kwargs or None), label))
        except NoReverseMatch:
            continue
    return links


ROLE_LABELS = {
    Role.OFFICER: gettext_lazy("district social officer"),
    Role.COORDINATOR: gettext_lazy("coordinator"),
    Role.SUPERVISOR: gettext_lazy("supervisor"),
    Role.ADMIN: gettext_lazy("administrator"),
}
