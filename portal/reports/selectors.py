"""Reads of the reports, scoped: a coordinator its institution, a supervisor (and an admin) everything, a partner
only its own performance; anyone else is refused.

Every figure of a period is counted from the reporting ledger as of a moment (`as_of`): facts recorded later
— a case closed afterwards with an earlier date — are not in it. A report already submitted is read from its
frozen snapshot unless a fresh draft is asked for.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.cases.models import NEED_GROUP_OF, Case, Category, Household, NeedGroup
from portal.core.errors import NotFound, PermissionDenied
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind, Organisation, OrganisationKind, ServiceCapacity
from portal.reports.figures import Cell, Chart, Column, Report, Table, suppress_small_cells
from portal.reports.ledger import UNSPECIFIED_REASON
from portal.reports.models import LedgerEvent, ReportKind, Submission, SurveyResponse
from portal.reports.periods import Period, current_month, parse_period
from portal.territory.models import District, Precinct

Kind = LedgerEvent.Kind

#: Coded reasons of a measure not fulfilled or returned (issue 16), as the report names them.
REASON_LABELS: dict[str, str] = {
    "not_our_profile": "не наш профиль",
    "no_capacity": "нет возможности (мест, специалистов)",
    "cannot_contact": "не удалось связаться с получателем",
    "recipient_refused": "получатель отказался",
    "documents_missing": "нет документов",
    "other": "иная причина",
    UNSPECIFIED_REASON: "причина не указана кодом",
}
#: The statutory name of the monthly form (seed 003, appendix 3).
MONTHLY_TITLE = ("Отчёт по организации деятельности социального сопровождения граждан, находящихся в трудной "
                 "жизненной ситуации")
QUARTERLY_TITLE = "Мониторинг оценки эффективности и результативности социального сопровождения"
PARTNERS_TITLE = "Оценка результатов межведомственного взаимодействия (442-ФЗ, ст. 28)"
#: A measure accepted within this many days of being assigned counts as accepted in time (issue 16).
ACCEPT_WITHIN = dt.timedelta(days=3)
TERMINAL_KINDS = (Kind.MEASURE_FULFILLED, Kind.MEASURE_NOT_FULFILLED, Kind.MEASURE_RETURNED, Kind.MEASURE_CANCELLED,
                  Kind.MEASURE_WITHDRAWN)


def _ru(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Labels of choices in Russian: the statutory forms are Russian whatever the reader's language."""
    with translation.override("ru"):
        return {value: str(label) for value, label in choices}


# ---- scope -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What one report covers: institutions (None: all), a partner organisation, a district."""

    code: str  # submission scope: an institution or district code, "" for the region
    label: str
    institution_ids: frozenset[int] | None = None
    organisation_id: int | None = None
    district_id: int | None = None

    def facts(self, facts: QuerySet[LedgerEvent]) -> QuerySet[LedgerEvent]:
        if self.institution_ids is not None:
            facts = facts.filter(institution_id__in=self.institution_ids)
        if self.organisation_id is not None:
            facts = facts.filter(organisation_id=self.organisation_id)
        if self.district_id is not None:
            facts = facts.filter(district_id=self.district_id)
        return facts


def institutions() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.SOCIAL_SERVICE)


def _institution(code: str) -> Organisation:
    found = institutions().filter(code=code).first()
    if found is None:
        raise NotFound(_("No institution with the code «%(value)s»."), value=code)
    return found


def _district(code: str) -> District:
    found = District.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("No district with the code «%(value)s»."), value=code)
    return found


def may_read_reports(viewer: Viewer) -> bool:
    return viewer.has_role(Role.ADMIN, Role.SUPERVISOR) or (
        viewer.has_role(Role.COORDINATOR) and viewer.institution_id is not None)


def resolve_scope(viewer: Viewer, kind: str, *, institution: str | None = None,
                  district: str | None = None) -> Scope:
    """The scope a viewer may read for a report, narrowed by the institution or district asked for."""
    if kind not in ReportKind.values:
        raise NotFound(_("No such report: %(kind)s."), kind=kind)
    everything = viewer.has_role(Role.ADMIN, Role.SUPERVISOR)
    if (kind == ReportKind.PARTNERS and viewer.is_partner and viewer.organisation_id is not None and not everything
            and not viewer.has_role(Role.COORDINATOR)):
        if institution or district:
            raise PermissionDenied(_("A partner sees only its own performance."))
        partner = Organisation.objects.get(pk=viewer.organisation_id)
        return Scope(code=partner.code, label=str(partner), organisation_id=partner.pk)
    if not may_read_reports(viewer):
        raise PermissionDenied(_("You may not read reports."))
    found_district = _district(district) if district else None
    org: Organisation | None
    if institution:
        org = _institution(institution)
        if not everything and org.pk != viewer.institution_id:
            raise PermissionDenied(_("You may read the reports of your own institution only."))
    elif not everything and viewer.institution_id is not None:  # may_read_reports: a coordinator has one
        org = Organisation.objects.get(pk=viewer.institution_id)
    else:
        org = None
    if kind == ReportKind.PASSPORT:
        # The passport describes a territory: an institution's district, a district, or the region.
        place = found_district or (org.district if org is not None else None)
        if org is not None and place is None:
            raise NotFound(_("The institution «%(value)s» has no district."), value=org.code)
        if place is not None and not everything and org is not None and place.pk != org.district_id:
            raise PermissionDenied(_("You may read the passport of your institution's district only."))
        return Scope(code=place.code if place else "", label=str(place) if place else "Регион",
                     district_id=place.pk if place else None)
    if org is not None:
        return Scope(code=org.code, label=str(org), institution_ids=frozenset({org.pk}),
                     district_id=found_district.pk if found_district else None)
    if found_district is not None:
        return Scope(code=found_district.code, label=str(found_district), district_id=found_district.pk)
    return Scope(code="", label="Регион")


# ---- helpers ---------------------------------------------------------------------------------------------

def _facts(as_of: dt.datetime) -> QuerySet[LedgerEvent]:
    return LedgerEvent.objects.filter(recorded_at__lte=as_of)


def _grouped(facts: QuerySet[Any], *keys: str) -> dict[tuple[Any, ...], int]:
    return {tuple(row[k] for k in keys): row["n"] for row in facts.values(*keys).annotate(n=Count("id"))}


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _report(kind: str, title: str, period: Period, scope: Scope, as_of: dt.datetime, tables: list[Table],
            charts: list[Chart], notes: list[str] | None = None) -> Report:
    today = timezone.localdate(as_of)
    return Report(kind=kind, title=title, period=period.code, period_label=period.label, scope=scope.code,
                  scope_label=scope.label, as_of=as_of.isoformat(), draft=not period.is_finished(today),
                  deadline=period.deadline.isoformat() if kind in (ReportKind.MONTHLY, ReportKind.QUARTERLY) else None,
                  tables=tables, charts=charts, notes=notes or [])


def _institution_rows(scope: Scope) -> list[Organisation]:
    found = institutions().order_by("name")
    if scope.institution_ids is not None:
        found = found.filter(pk__in=scope.institution_ids)
    elif scope.district_id is not None:
        found = found.filter(district_id=scope.district_id)
    else:
        found = found.filter(active=True)
    return list(found)


def _sum_rows(columns: list[Column], rows: list[dict], label_key: str, label: str) -> dict:
    total: dict = {label_key: label}
    for column in columns:
        if column.kind == "count":
            total[column.key] = sum(row[column.key] for row in rows if isinstance(row.get(column.key), int))
    return total


# ---- monthly report (seed 003, appendix 3) ----------------------------------------------------------------

def monthly_report(*, scope: Scope, period: Period, as_of: dt.datetime) -> Report:
    """Отчёт по организации деятельности социального сопровождения: one row per institution."""
    kinds, outcomes = _ru(HelpKind.choices), _ru(Case.Outcome.choices)
    facts = scope.facts(_facts(as_of))
    month = facts.filter(on__range=(period.first, period.last))
    per_kind = _grouped(month.filter(kind__in=[Kind.SIGNAL_CONFIRMED, Kind.CASE_STARTED, Kind.CASE_CLOSED,
                                               Kind.MEASURE_FULFILLED, Kind.MEASURE_NOT_FULFILLED]),
                        "institution_id", "kind")
    fulfilled = _grouped(month.filter(kind=Kind.MEASURE_FULFILLED), "institution_id", "help_kind")
    closed = _grouped(month.filter(kind=Kind.CASE_CLOSED), "institution_id", "outcome")
    not_done = _grouped(month.filter(kind=Kind.MEASURE_NOT_FULFILLED), "institution_id", "reason")
    closed_by_end = facts.filter(kind=Kind.CASE_CLOSED, case_id=OuterRef("case_id"), on__lte=period.last)
    active = {row["institution_id"]: row["n"] for row in
              facts.filter(kind=Kind.CASE_STARTED, on__lte=period.last).exclude(Exists(closed_by_end))
              .values("institution_id").annotate(n=Count("case_id", distinct=True))}

    columns = [
        Column("no", "№ п/п", "text"),
        Column("institution", "Наименование учреждения", "text"),
        Column("need_identified", "Выявленная потребность в социальном сопровождении граждан, находящихся в ТЖС "
                                  "(подтверждено сигналов за месяц)"),
        Column("enrolled", "Количество граждан, зачисленных на социальное сопровождение (за месяц)"),
        Column("active_end", "Состоит на социальном сопровождении на конец месяца"),
        Column("measures_done", "Проведённые мероприятия по преодолению ТЖС: выполнено, всего"),
        *[Column(f"measures_{k}", f"в т. ч. {label}") for k, label in kinds.items()],
        Column("closed", "Результат социального сопровождения на этапе: завершено, всего"),
        *[Column(f"closed_{k}", f"в т. ч. {label}") for k, label in outcomes.items()],
        Column("not_fulfilled", "Примечание: мероприятия не выполнены, всего"),
        Column("note", "Примечание: причины невыполнения", "text"),
    ]
    rows = []
    for number, org in enumerate(_institution_rows(scope), start=1):
        reasons = {reason: n for (inst, reason), n in not_done.items() if inst == org.pk}
        rows.append({
            "no": number, "institution": org.name,
            "need_identified": per_kind.get((org.pk, Kind.SIGNAL_CONFIRMED), 0),
            "enrolled": per_kind.get((org.pk, Kind.CASE_STARTED), 0),
            "active_end": active.get(org.pk, 0),
            "measures_done": per_kind.get((org.pk, Kind.MEASURE_FULFILLED), 0),
            **{f"measures_{k}": fulfilled.get((org.pk, k), 0) for k in kinds},
            "closed": per_kind.get((org.pk, Kind.CASE_CLOSED), 0),
            **{f"closed_{k}": closed.get((org.pk, k), 0) for k in outcomes},
            "not_fulfilled": per_kind.get((org.pk, Kind.MEASURE_NOT_FULFILLED), 0),
            "note": "; ".join(f"{REASON_LABELS.get(r, r)} — {n}" for r, n in sorted(reasons.items())),
        })
    total = _sum_rows(columns, rows, "institution", "Итого") if len(rows) > 1 else None
    table = Table("institutions", MONTHLY_TITLE, columns, rows, total)
    return _report(ReportKind.MONTHLY, MONTHLY_TITLE, period, scope, as_of, [table],
                   _monthly_charts(facts, period, kinds, rows))


def _monthly_charts(facts: QuerySet[LedgerEvent], period: Period, kinds: dict[str, str],
                    rows: list[dict]) -> list[Chart]:
    months = period.previous_months(12)
    trend = _grouped(facts.filter(on__range=(months[0].first, period.last),
                                  kind__in=[Kind.SIGNAL_CONFIRMED, Kind.CASE_STARTED, Kind.CASE_CLOSED])
                     .annotate(year=F("on__year"), month=F("on__month")), "year", "month", "kind")

    def series(kind: str) -> list[int]:
        return [trend.get((m.first.year, m.first.month, kind), 0) for m in months]

    return [
        Chart("trend", "Сигналы и дела по месяцам", "line", [m.label for m in months], [
            {"label": "Подтверждено сигналов", "data": series(Kind.SIGNAL_CONFIRMED)},
            {"label": "Зачислено на сопровождение", "data": series(Kind.CASE_STARTED)},
            {"label": "Завершено", "data": series(Kind.CASE_CLOSED)},
        ]),
        Chart("measures_by_kind", "Выполненные мероприятия по видам помощи", "bar", list(kinds.values()), [
            {"label": "Выполнено", "data": [sum(row[f"measures_{k}"] for row in rows) for k in kinds]},
        ]),
    ]


# ---- quarterly effectiveness monitoring (seed 004 row 13) -------------------------------------------------

def quarterly_report(*, scope: Scope, period: Period, as_of: dt.datetime) -> Report:
    """Мониторинг эффективности и результативности социального сопровождения, per institution."""
    outcomes = _ru(Case.Outcome.choices)
    facts = scope.facts(_facts(as_of)).filter(kind=Kind.CASE_CLOSED, on__range=(period.first, period.last))
    closed = _grouped(facts, "institution_id", "outcome")
    closed_cases: dict[int, set[int]] = defaultdict(set)
    for institution_id, case_id in facts.values_list("institution_id", "case_id"):
        if institution_id is not None and case_id is not None:  # a closing always has both
            closed_cases[institution_id].add(case_id)
    answers: dict[int, list[SurveyResponse]] = defaultdict(list)
    all_cases = set().union(*closed_cases.values()) if closed_cases else set()
    for response in SurveyResponse.objects.filter(case_id__in=all_cases, recorded_at__lte=as_of):
        answers[response.institution_id].append(response)

    columns = [
        Column("institution", "Учреждение", "text"),
        Column("closed", "Завершено сопровождение семей, всего"),
        *[Column(f"closed_{k}", f"в т. ч. {label}") for k, label in outcomes.items()],
        Column("surveyed", "Анкетировано семей"),
        Column("surveyed_share", "Доля анкетированных, %", "share", "surveyed"),
        Column("satisfaction", "Средняя удовлетворённость (1–5)", "mean", "surveyed"),
        Column("resolved_share", "Доля разрешённых обстоятельств нуждаемости, %", "share", "surveyed"),
    ]
    rows = []
    for org in _institution_rows(scope):
        responses = [r for r in answers.get(org.pk, []) if r.case_id in closed_cases.get(org.pk, set())]
        total_closed = len(closed_cases.get(org.pk, set()))
        circumstances = sum(r.circumstances_total for r in responses)
        rows.append({
            "institution": org.name, "closed": total_closed,
            **{f"closed_{k}": closed.get((org.pk, k), 0) for k in outcomes},
            "surveyed": len(responses),
            "surveyed_share": _share(len(responses), total_closed),
            "satisfaction": round(statistics.fmean(r.satisfaction for r in responses), 2) if responses else None,
            "resolved_share": _share(sum(len(r.resolved_circumstances) for r in responses), circumstances),
        })
    total = None
    if len(rows) > 1:
        total = _sum_rows(columns, rows, "institution", "Итого")
        every = [r for org in _institution_rows(scope) for r in answers.get(org.pk, [])
                 if r.case_id in closed_cases.get(org.pk, set())]
        total.update({
            "surveyed_share": _share(total["surveyed"], total["closed"]),
            "satisfaction": round(statistics.fmean(r.satisfaction for r in every), 2) if every else None,
            "resolved_share": _share(sum(len(r.resolved_circumstances) for r in every),
                                     sum(r.circumstances_total for r in every)),
        })
    table = Table("institutions", QUARTERLY_TITLE, columns, rows, total)
    chart = Chart("satisfaction", "Удовлетворённость и разрешённые обстоятельства", "bar",
                  [str(row["institution"]) for row in rows], [
                      {"label": "Доля анкетированных, %", "data": [row["surveyed_share"] or 0 for row in rows]},
                      {"label": "Разрешено обстоятельств, %", "data": [row["resolved_share"] or 0 for row in rows]},
                  ])
    return _report(ReportKind.QUARTERLY, QUARTERLY_TITLE, period, scope, as_of, [table], [chart],
                   ["В опубликованных и переданных версиях значения меньше 3 показываются как «<3»."])


# ---- social passport of the territory (seed 002) ----------------------------------------------------------

def officer_loads(district_id: int | None = None) -> list[dict]:
    """Load per officer (нагрузка): residents of all its precincts over the norm of each precinct's district
    (1 officer per 8,000 rural / 10,000 urban residents), in full-time posts (ставок)."""
    precincts = Precinct.objects.filter(officer__isnull=False).values(
        "officer_id", "officer__full_name", "population", "district_id", "district__kind", "district__name")
    per_officer: dict[int, dict] = {}
    for row in precincts:
        norm = 10_000 if row["district__kind"] == District.Kind.URBAN else 8_000
        entry = per_officer.setdefault(row["officer_id"], {
            "officer_id": row["officer_id"], "officer": row["officer__full_name"], "residents": 0, "load": 0.0,
            "precincts": 0, "districts": Counter()})
        entry["residents"] += row["population"]
        entry["load"] += row["population"] / norm
        entry["precincts"] += 1
        entry["districts"][(row["district_id"], row["district__name"])] += row["population"]
    loads = []
    for entry in per_officer.values():
        (home_id, home_name), _population = entry["districts"].most_common(1)[0]
        if district_id is not None and district_id not in {d for d, _n in entry["districts"]}:
            continue
        loads.append({"officer_id": entry["officer_id"], "officer": entry["officer"], "district_id": home_id,
                      "district": home_name, "precincts": entry["precincts"], "residents": entry["residents"],
                      "load": round(entry["load"], 2), "over_norm": entry["load"] > 1.0})
    return sorted(loads, key=lambda row: (-row["load"], row["officer"]))


def passport_report(*, scope: Scope, period: Period, as_of: dt.datetime) -> Report:
    """Социальный паспорт территории: per district and for the region."""
    districts = list(District.objects.order_by("name") if scope.district_id is None
                     else District.objects.filter(pk=scope.district_id))
    district_ids = [d.pk for d in districts]
    precincts = _grouped(Precinct.objects.filter(district_id__in=district_ids), "district_id")
    vacant = _grouped(Precinct.objects.filter(district_id__in=district_ids, officer__isnull=True), "district_id")
    loads = officer_loads(scope.district_id)
    officers_of: dict[int, list[dict]] = defaultdict(list)
    for load in loads:
        officers_of[load["district_id"]].append(load)
    day = min(period.last, timezone.localdate(as_of))
    # Families in support at the end of the period: enrolled and not closed, from the ledger.
    facts = _facts(as_of).filter(district_id__in=district_ids)
    closed = facts.filter(kind=Kind.CASE_CLOSED, case_id=OuterRef("case_id"), on__lte=day)
    open_cases = {case_id: district_id for case_id, district_id in
                  facts.filter(kind=Kind.CASE_STARTED, on__lte=day).exclude(Exists(closed))
                  .values_list("case_id", "district_id") if case_id is not None and district_id is not None}
    circumstances_of = dict(Case.objects.filter(pk__in=list(open_cases)).values_list("pk", "need_circumstances"))
    groups = _ru(NeedGroup.choices)
    group_counts: dict[int, Counter] = defaultdict(Counter)
    for case_id, district_id in open_cases.items():
        for group in {NEED_GROUP_OF.get(c) for c in circumstances_of.get(case_id) or []} - {None}:
            group_counts[district_id][group] += 1
    open_per_district = Counter(open_cases.values())
    categories = _ru(Category.choices)
    household_total, households = _households_by_category(district_ids)
    partner_kinds = _ru(OrganisationKind.choices)
    partners = _grouped(Organisation.objects.filter(active=True, district_id__in=district_ids), "district_id", "kind")

    main_columns = [
        Column("district", "Территория", "text"), Column("kind", "Тип", "text"),
        Column("population", "Население"), Column("precincts", "Участков"), Column("vacant", "Вакантных участков"),
        Column("officers", "Социальных участковых"),
        Column("load", "Средняя нагрузка на участкового, ставок (норма 1,0)", "mean"),
        Column("over_norm", "Участковых с нагрузкой сверх нормы"),
        Column("households", "Домохозяйств на учёте"), Column("open_cases", "Семей на сопровождении"),
    ]
    main_rows: list[dict[str, Cell]] = []
    need_rows: list[dict[str, Cell]] = []
    household_rows: list[dict[str, Cell]] = []
    partner_rows: list[dict[str, Cell]] = []
    for d in districts:
        own = officers_of.get(d.pk, [])
        main_rows.append({
            "district": d.name, "kind": "городская" if d.kind == District.Kind.URBAN else "сельская",
            "population": d.population, "precincts": precincts.get((d.pk,), 0), "vacant": vacant.get((d.pk,), 0),
            "officers": len(own), "load": round(statistics.fmean(o["load"] for o in own), 2) if own else None,
            "over_norm": sum(1 for o in own if o["over_norm"]), "households": household_total[d.pk],
            "open_cases": open_per_district[d.pk],
        })
        need_rows.append({"district": d.name, "open_cases": open_per_district[d.pk],
                          **{g: _share(group_counts[d.pk][g], open_per_district[d.pk]) for g in groups}})
        household_rows.append({"district": d.name, "households": household_total[d.pk],
                               **{c: households[d.pk][c] for c in categories}})
        partner_rows.append({"district": d.name, **{k: partners.get((d.pk, k), 0) for k in partner_kinds}})
    region = scope.district_id is None and len(districts) > 1
    main_total = need_total = None
    if region:
        main_total = _sum_rows(main_columns, main_rows, "district", "Регион")
        main_total["load"] = round(statistics.fmean(o["load"] for o in loads), 2) if loads else None
        main_total["officers"] = len(loads)
        total_open = sum(open_per_district.values())
        need_total = {"district": "Регион", "open_cases": total_open,
                      **{g: _share(sum(group_counts[d][g] for d in group_counts), total_open) for g in groups}}
    need_columns = [Column("district", "Территория", "text"), Column("open_cases", "Семей на сопровождении"),
                    *[Column(g, f"{label}, %", "share", "open_cases") for g, label in groups.items()]]
    household_columns = [Column("district", "Территория", "text"), Column("households", "Домохозяйств, всего"),
                         *[Column(c, label) for c, label in categories.items()]]
    partner_columns = [Column("district", "Территория", "text"),
                       *[Column(k, label) for k, label in partner_kinds.items()]]
    officer_columns = [Column("officer", "Социальный участковый", "text"), Column("district", "Территория", "text"),
                       Column("precincts", "Участков"), Column("residents", "Жителей на участках"),
                       Column("load", "Нагрузка, ставок (норма 1,0)", "mean"),
                       Column("over_norm_text", "Сверх нормы", "text")]
    officer_rows = [{**{k: o[k] for k in ("officer", "district", "precincts", "residents", "load")},
                     "over_norm_text": "да" if o["over_norm"] else "нет"} for o in loads]
    capacity_columns, capacity_rows = _capacity_table(district_ids)
    tables = [
        Table("territory", "Территория, участки и участковые", main_columns, main_rows, main_total),
        Table("officers", "Нагрузка на социальных участковых", officer_columns, officer_rows),
        Table("needs", "Обстоятельства нуждаемости семей на сопровождении (доля семей)", need_columns, need_rows,
              need_total),
        Table("households", "Домохозяйства по категориям", household_columns, household_rows,
              _sum_rows(household_columns, household_rows, "district", "Регион") if region else None),
        Table("partners", "Субъекты взаимодействия по видам", partner_columns, partner_rows,
              _sum_rows(partner_columns, partner_rows, "district", "Регион") if region else None),
        Table("resources", "Ресурсы с вместимостью (места, койки, слоты)", capacity_columns, capacity_rows),
    ]
    top = loads[:30]
    charts = [
        Chart("officer_load", "Нагрузка на участкового, ставок (норма 1,0)", "bar", [o["officer"] for o in top],
              [{"label": "Нагрузка", "data": [o["load"] for o in top]}]),
        Chart("needs", "Обстоятельства нуждаемости, % семей", "bar", list(groups.values()),
              [{"label": "Доля семей, %",
                "data": [(need_total or need_rows[0])[g] or 0 for g in groups] if need_rows else []}]),
    ]
    return _report(ReportKind.PASSPORT, "Социальный паспорт территории", period, scope, as_of, tables, charts)


def _households_by_category(district_ids: list[int]) -> tuple[Counter, dict[int, Counter]]:
    """Households per district, and per district and category (a household counts once per category). On
    PostgreSQL counted by the database (jsonb elements), elsewhere row by row."""
    total: Counter = Counter(dict(Household.objects.filter(precinct__district_id__in=district_ids)
                                  .values_list("precinct__district_id").annotate(n=Count("id"))
                                  .values_list("precinct__district_id", "n")))
    by_category: dict[int, Counter] = defaultdict(Counter)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.district_id, c.category, count(DISTINCT h.id) FROM cases_household h "
                "JOIN territory_precinct p ON p.id = h.precinct_id "
                "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(h.categories) = 'array' "
                "THEN h.categories ELSE '[]'::jsonb END) AS c(category) "
                "WHERE p.district_id = ANY(%s) GROUP BY p.district_id, c.category", [list(district_ids)])
            for district_id, category, count in cursor.fetchall():
                by_category[district_id][category] = count
        return total, by_category
    for district_id, cats in Household.objects.filter(precinct__district_id__in=district_ids).values_list(
            "precinct__district_id", "categories").iterator(chunk_size=10_000):
        for category in set(cats or []):
            by_category[district_id][category] += 1
    return total, by_category


def _capacity_table(district_ids: list[int]) -> tuple[list[Column], list[dict]]:
    columns = [Column("organisation", "Организация", "text"), Column("district", "Территория", "text"),
               Column("help_kind", "Вид помощи", "text"), Column("unit", "Единица", "text"),
               Column("maximum", "Вместимость"), Column("available", "Свободно")]
    kinds, units = _ru(HelpKind.choices), _ru(ServiceCapacity.Unit.choices)
    rows = [{"organisation": str(c.organisation), "district": c.organisation.district.name if c.organisation.district
             else "", "help_kind": kinds.get(c.help_kind, c.help_kind), "unit": units.get(c.unit, c.unit),
             "maximum": c.maximum, "available": c.available}
            for c in ServiceCapacity.objects.select_related("organisation__district").filter(
                organisation__active=True, organisation__district_id__in=district_ids).order_by(
                "organisation__district__name", "organisation__name", "help_kind")]
    return columns, rows


# ---- partner performance (issue 16 item 2; federal law 442-FZ art. 28) ------------------------------------

def partners_report(*, scope: Scope, period: Period, as_of: dt.datetime) -> Report:
    """Оценка результатов межведомственного взаимодействия: per organisation that was given measures."""
    facts = scope.facts(_facts(as_of))
    window = facts.filter(on__range=(period.first, period.last))
    assigned_rows = list(window.filter(kind=Kind.MEASURE_ASSIGNED).values(
        "organisation_id", "measure_id", "assigned_at"))
    accepted_at: dict[tuple[int | None, int | None], dt.datetime] = {}
    for org_id, measure_id, at in facts.filter(
            kind=Kind.MEASURE_ACCEPTED, measure_id__in=[r["measure_id"] for r in assigned_rows]).values_list(
            "organisation_id", "measure_id", "recorded_at"):
        key = (org_id, measure_id)
        accepted_at[key] = min(at, accepted_at.get(key, at))
    assigned: Counter = Counter()
    in_time: Counter = Counter()
    for row in assigned_rows:
        assigned[row["organisation_id"]] += 1
        accepted = accepted_at.get((row["organisation_id"], row["measure_id"]))
        if accepted is not None and row["assigned_at"] and accepted - row["assigned_at"] <= ACCEPT_WITHIN:
            in_time[row["organisation_id"]] += 1
    on_time: Counter = Counter()
    late: Counter = Counter()
    days: dict[int | None, list[int]] = defaultdict(list)
    for org_id, on, deadline, assigned_on in window.filter(kind=Kind.MEASURE_FULFILLED).values_list(
            "organisation_id", "on", "deadline", "assigned_on"):
        (on_time if deadline is None or on <= deadline else late)[org_id] += 1
        if assigned_on is not None:
            days[org_id].append((on - assigned_on).days)
    not_done = _grouped(window.filter(kind=Kind.MEASURE_NOT_FULFILLED), "organisation_id", "reason")
    returned = _grouped(window.filter(kind=Kind.MEASURE_RETURNED), "organisation_id", "reason")
    day = timezone.localdate(as_of)
    finished = facts.filter(measure_id=OuterRef("measure_id"), organisation_id=OuterRef("organisation_id"),
                            kind__in=TERMINAL_KINDS)
    overdue = Counter(facts.filter(kind=Kind.MEASURE_ASSIGNED, deadline__lt=day).exclude(Exists(finished))
                      .values_list("organisation_id", flat=True))
    org_ids: set[int] = {org_id for org_id in set(assigned) | set(on_time) | set(late) | {k[0] for k in not_done}
                         | {k[0] for k in returned} | set(overdue) if org_id is not None}
    if scope.organisation_id is not None:
        org_ids = {scope.organisation_id}
    organisations = Organisation.objects.filter(pk__in=org_ids).order_by("name")
    reasons = sorted({k[1] for k in not_done} | {k[1] for k in returned}, key=lambda r: list(REASON_LABELS).index(r)
                     if r in REASON_LABELS else 99)
    org_kinds = _ru(OrganisationKind.choices)
    columns = [
        Column("organisation", "Организация", "text"), Column("org_kind", "Вид", "text"),
        Column("assigned", "Поручено мероприятий"),
        Column("accepted_3d", "Принято в течение 3 дней"),
        Column("accepted_3d_share", "Доля принятых в течение 3 дней, %", "share", "assigned"),
        Column("on_time", "Выполнено в срок"), Column("late", "Выполнено с опозданием"),
        Column("not_fulfilled", "Не выполнено, всего"),
        *[Column(f"not_fulfilled_{r}", f"не выполнено: {REASON_LABELS.get(r, r)}") for r in reasons],
        Column("returned", "Возвращено, всего"),
        *[Column(f"returned_{r}", f"возвращено: {REASON_LABELS.get(r, r)}") for r in reasons],
        Column("median_days", "Медиана дней до выполнения", "mean", "on_time"),
        Column("overdue", "Просрочено на дату"),
    ]
    rows = []
    for org in organisations:
        all_days = days.get(org.pk, [])
        rows.append({
            "organisation": org.name, "org_kind": org_kinds.get(org.kind, org.kind),
            "assigned": assigned[org.pk], "accepted_3d": in_time[org.pk],
            "accepted_3d_share": _share(in_time[org.pk], assigned[org.pk]),
            "on_time": on_time[org.pk], "late": late[org.pk],
            "not_fulfilled": sum(n for (o, _r), n in not_done.items() if o == org.pk),
            **{f"not_fulfilled_{r}": not_done.get((org.pk, r), 0) for r in reasons},
            "returned": sum(n for (o, _r), n in returned.items() if o == org.pk),
            **{f"returned_{r}": returned.get((org.pk, r), 0) for r in reasons},
            "median_days": float(statistics.median(all_days)) if all_days else None,
            "overdue": overdue[org.pk],
        })
    top = sorted(rows, key=lambda r: -int(r["assigned"] or 0))[:20]
    charts = [
        Chart("measures_by_partner", "Мероприятия по организациям и результату", "bar",
              [str(r["organisation"]) for r in top], [
                  {"label": "Выполнено в срок", "data": [r["on_time"] for r in top], "color": "#2f9e44"},
                  {"label": "С опозданием", "data": [r["late"] for r in top], "color": "#e07b00"},
                  {"label": "Не выполнено", "data": [r["not_fulfilled"] for r in top], "color": "#c92a2a"},
                  {"label": "Возвращено", "data": [r["returned"] for r in top], "color": "#868e96"},
              ], stacked=True),
        Chart("overdue_share", "Доля просроченных на дату, %", "bar", [str(r["organisation"]) for r in top], [
            {"label": "Просрочено, % от поручённых",
             "data": [_share(int(r["overdue"] or 0), int(r["assigned"] or 0)) or 0 for r in top]}]),
    ]
    table = Table("organisations", PARTNERS_TITLE, columns, rows,
                  _sum_rows(columns, rows, "organisation", "Итого") if len(rows) > 1 else None)
    return _report(ReportKind.PARTNERS, PARTNERS_TITLE, period, scope, as_of, [table], charts)


# ---- one door --------------------------------------------------------------------------------------------

BUILDERS = {ReportKind.MONTHLY: monthly_report, ReportKind.QUARTERLY: quarterly_report,
            ReportKind.PASSPORT: passport_report, ReportKind.PARTNERS: partners_report}
#: Which periods each report takes.
PERIODS: dict[str, tuple[bool, bool]] = {ReportKind.MONTHLY: (True, False), ReportKind.QUARTERLY: (False, True),
           ReportKind.PASSPORT: (True, False), ReportKind.PARTNERS: (True, True)}
#: Reports whose shared versions hide small cells.
SUPPRESSED_WHEN_SHARED = {ReportKind.QUARTERLY}


def period_for(kind: str, text: str | None) -> Period:
    months, quarters = PERIODS.get(kind, (True, False))
    return parse_period(text, months=months, quarters=quarters)


def submission_of(kind: str, period: str, scope: str) -> Submission | None:
    return Submission.objects.filter(kind=kind, period=period, scope=scope).first()


def compute_report(*, viewer: Viewer, kind: str, period: str, institution: str | None = None,
                   district: str | None = None, as_of: dt.datetime | None = None) -> Report:
    """A fresh computation as of a moment (now by default), never the frozen snapshot."""
    scope = resolve_scope(viewer, kind, institution=institution, district=district)
    found = period_for(kind, period)
    return BUILDERS[ReportKind(kind)](scope=scope, period=found, as_of=as_of or timezone.now())


def get_report(*, viewer: Viewer, kind: str, period: str | None = None, institution: str | None = None,
               district: str | None = None, fresh: bool = False, shared: bool = False) -> Report:
    """The report as people read it: the submitted snapshot if there is one (unless `fresh`), else a draft
    «по состоянию на» now. `shared`: the version for files and other systems (small cells hidden)."""
    scope = resolve_scope(viewer, kind, institution=institution, district=district)
    found = period_for(kind, period or current_month(timezone.localdate()).code)
    submitted = None if fresh else submission_of(kind, found.code, scope.code)
    if submitted is not None:
        report = Report.from_json(submitted.figures)
        report.submitted_at, report.submitted_by = submitted.submitted_at.isoformat(), submitted.submitted_by_name
    else:
        report = BUILDERS[ReportKind(kind)](scope=scope, period=found, as_of=timezone.now())
    if shared and kind in SUPPRESSED_WHEN_SHARED:
        report = suppress_small_cells(report)
    return report


def submissions_for(viewer: Viewer) -> QuerySet[Submission]:
    """Submitted reports the viewer may see (its institution's and region-wide ones for a coordinator)."""
    if viewer.has_role(Role.ADMIN, Role.SUPERVISOR):
        return Submission.objects.all()
    if viewer.has_role(Role.COORDINATOR) and viewer.institution_code:
        return Submission.objects.filter(Q(scope=viewer.institution_code))
    raise PermissionDenied(_("You may not read reports."))
