"""Printable documents of a case as PDF, built from the data with ReportLab and Debian's DejaVu fonts:

- the programme of social support (ИПССС) in the standard form of seed 003, appendix 2 (sections 1–6 and the
  signature lines of the director, the specialist and the citizen);
- the inspection act of the family's material and living conditions (seed 004 row 4) with the commission's
  conclusion.

The wording of the forms is fixed by the regional order, so it is Russian whatever the interface language.
Printing is a read of personal data: each download leaves an access record (152-FZ art. 19). A case or signal
outside the viewer's scope is "not found", exactly like a missing one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.accounts.admin_views import request_viewer
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases import selectors
from portal.cases.models import (
    Case,
    CollegialDecision,
    InspectionAct,
    Measure,
    Person,
    Signal,
    SupportForm,
)
from portal.casework.cards import category_labels, need_labels
from portal.core.errors import NotFound
from portal.partners.models import HelpKind

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
EMPTY = "—"
BLANK = "_" * 24


@cache
def _fonts() -> tuple[str, str]:
    """DejaVu Sans (Cyrillic) from the Debian package fonts-dejavu-core."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    raise RuntimeError("DejaVu fonts are missing: apt-get install fonts-dejavu-core")


class _Styles:
    def __init__(self) -> None:
        regular, bold = _fonts()
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9, leading=11)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=bold)
        self.title = ParagraphStyle("title", parent=self.body, fontName=bold, fontSize=13, leading=16,
                                    alignment=TA_CENTER, spaceAfter=4 * mm)
        self.section = ParagraphStyle("section", parent=self.body, fontName=bold, fontSize=11, leading=14,
                                      spaceBefore=4 * mm, spaceAfter=2 * mm)
        self.right = ParagraphStyle("right", parent=self.small, alignment=2)


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _date(day: Any) -> str:
    return f"{day:%d.%m.%Y}" if day else BLANK


def _or_empty(text: Any) -> str:
    text = str(text or "").strip()
    return text or EMPTY


def _field_rows(rows: Iterable[tuple[str, Any]], st: _Styles) -> Table:
    table = Table([[_p(label, st.head), _p(_or_empty(value), st.cell)] for label, value in rows],
                  colWidths=[55 * mm, 115 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (1, 0), (1, -1), 0.4, colors.grey),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _grid(header: list[str], rows: list[list[Any]], widths: list[float], st: _Styles) -> Table:
    data = [[_p(text, st.head) for text in header]]
    data += [[_p(_or_empty(cell), st.cell) for cell in row] for row in rows] or [[_p(EMPTY, st.cell)] * len(header)]
    table = Table(data, colWidths=[width * mm for width in widths], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92))]))
    return table


def _signatures(rows: list[tuple[str, str]], st: _Styles) -> Table:
    table = Table([[_p(role, st.body), _p(f"{BLANK} / {name or BLANK} /", st.body)] for role, name in rows],
                  colWidths=[75 * mm, 95 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 9 * mm)]))
    return table


def _short_name(person: Person | None) -> str:
    """«Иванова А. П.»: the surname and initials under a signature line."""
    if person is None:
        return ""
    initials = " ".join(f"{part[0]}." for part in (person.first_name, person.middle_name) if part)
    return f"{person.last_name} {initials}".strip()


def _months(start: Any, end: Any) -> str:
    if not start or not end:
        return BLANK
    months = (end.year - start.year) * 12 + end.month - start.month + (1 if end.day > start.day else 0)
    return str(max(months, 1))


def _render(story: list[Any], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, title=title, author="Социальное сопровождение")
    document.build(story)
    return buffer.getvalue()


def programme_pdf(case: Case, *, extensions: list[tuple[Any, Any, CollegialDecision | None]]) -> bytes:
    """The programme of social support of a citizen (seed 003, appendix 2), filled from the case."""
    st = _Styles()
    person = case.applicant
    household = case.household
    members = [m for m in household.members.order_by("last_name", "first_name") if m.pk != person.pk]
    programme = getattr(case, "programme", None)
    categories = category_labels([*person.categories, *case.categories, *household.categories])
    family = "проживает в семье" if members else "одиноко проживающий"
    if members:
        family += ": " + "; ".join(f"{m.full_name}" + (f" ({m.relation})" if m.relation else "") for m in members)
    story: list[Any] = [
        _p("Приложение 2 к приказу Депсоцразвития Югры от 2013 г. № 425-р", st.right),
        _p(case.institution.name, st.small),
        Spacer(1, 3 * mm),
        _p("Программа социального сопровождения гражданина", st.title),
        _p(f"№ {programme.number if programme else case.code}", ParagraphStyle("n", parent=st.title, fontSize=10)),
        _p("1. Сведения о гражданине, находящемся в трудной жизненной ситуации", st.section),
        _field_rows([
            ("Ф.И.О.", person.full_name),
            ("Дата рождения", _date(person.birth_date) if person.birth_date else EMPTY),
            ("Адрес (место) проживания", household.address),
            ("Контактный телефон", person.phone),
            ("Категория гражданина", "; ".join(dict.fromkeys(categories))),
            ("Группа инвалидности", ""),
            ("Степень ограничения к трудовой деятельности", ""),
            ("Семейный статус", family),
        ], st),
        _p("2. Информация об обращении гражданина к специалисту по социальному сопровождению", st.section),
        _grid(["Дата обращения", "Причина обращения", "Основные проблемы гражданина, требующие решения"],
              [[_date(case.registered_on), case.reasons or (case.signal.summary if case.signal else ""),
                "; ".join(need_labels(case.need_circumstances))]], [30, 70, 70], st),
        _p("3. Перечень мероприятий, направленный на преодоление трудной жизненной ситуации гражданина",
           st.section),
    ]
    measures = Measure.objects.filter(case=case).exclude(status=Measure.Status.CANCELLED).select_related(
        "organisation").order_by("deadline", "id")
    story.append(_grid(
        ["Рекомендованные мероприятия", "Участники мероприятия", "Срок реализации"],
        [[m.task + (f"\n{m.content}" if m.content else ""),
          m.organisation.name + (f"\n{m.responsible_person}" if m.responsible_person else ""),
          f"{_date(m.deadline)}\n{m.get_status_display()}"] for m in measures], [80, 60, 30], st))
    story += [
        _p("4. Срок социального сопровождения гражданина", st.section),
        _p(f"с {_date(case.started_on)} по {_date(_first_end(case, extensions))}, "
           f"кол-во месяцев: {_months(case.started_on, _first_end(case, extensions))}", st.body),
    ]
    for start, end, decision in extensions:
        basis = f" (коллегиальное решение: {decision})" if decision else ""
        story.append(_p(f"продление социального сопровождения на период: с {_date(start)} по {_date(end)}, "
                        f"кол-во месяцев: {_months(start, end)}{basis}", st.body))
    if not extensions:
        story.append(_p(f"продление социального сопровождения на период: с {BLANK} по {BLANK}", st.body))
    story += [
        _p("5. Результаты социального сопровождения", st.section),
        _grid(["Итоги и анализ результатов от проведенных мероприятий",
               "Сведения со слов самого гражданина от социального сопровождения", "Примечание"],
              [[case.results, "", case.get_outcome_display() if case.outcome else ""]], [70, 60, 40], st),
        _p("6. Рекомендации гражданину", st.section),
        _p(case.recommendations or "\n".join([BLANK * 3] * 3), st.body),
        Spacer(1, 4 * mm),
        _signatures([
            ("Директор комплексного центра социального обслуживания населения", ""),
            ("Специалист по социальному сопровождению",
             case.coordinator.get_full_name() if case.coordinator else ""),
            ("Гражданин", _short_name(person)),
        ], st),
    ]
    return _render(story, f"Программа социального сопровождения {case.code}")


def _first_end(case: Case, extensions: list[tuple[Any, Any, CollegialDecision | None]]) -> Any:
    """The end of the term as first approved: before the first extension, or the current end."""
    if extensions:
        first_start = extensions[0][0]
        return first_start and first_start.fromordinal(first_start.toordinal() - 1)
    return case.ends_on


def _extensions(case: Case) -> list[tuple[Any, Any, CollegialDecision | None]]:
    """(from, to, decision) of each extension, from the recorded changes of the term."""
    import datetime as dt

    decisions = {d.pk: d for d in CollegialDecision.objects.filter(case=case,
                                                                  subject=CollegialDecision.Subject.EXTENSION)}
    periods = []
    for event in AuditEvent.objects.for_object("cases.case", case.pk).filter(verb="case.extend").exclude(
            action=AuditEvent.Action.ATTEMPT).order_by("at", "id"):
        before, after = (event.changes.get("ends_on") or [None, None])[:2]
        if not before or not after:
            continue
        start = dt.date.fromisoformat(before) + dt.timedelta(days=1)
        periods.append((start, dt.date.fromisoformat(after), decisions.get(event.details.get("decision"))))
    return periods


def inspection_act_pdf(signal: Signal, act: InspectionAct) -> bytes:
    """The inspection act of the family's material and living conditions with the commission's conclusion."""
    st = _Styles()
    help_kinds = dict(HelpKind.choices)
    income_note = ("ниже прожиточного минимума" if act.below_subsistence else "не ниже прожиточного минимума")
    story: list[Any] = [
        _p(signal.institution.name if signal.institution else "", st.small),
        Spacer(1, 3 * mm),
        _p("Акт обследования материально-бытовых условий семьи", st.title),
        _field_rows([
            ("Дата обследования", _date(act.inspected_on)),
            ("Адрес", signal.address),
            ("Участок", str(signal.precinct) if signal.precinct else "участок не определён"),
            ("Обследование провёл", act.inspector),
            ("Повод (сигнал)", f"{signal.get_source_display()}, {signal.received_at:%d.%m.%Y}: {signal.summary}"),
        ], st),
        _p("1. Категория семьи и её состав", st.section),
        _field_rows([("Категория семьи", "; ".join(category_labels(act.family_categories))),
                     ("Состав семьи", act.members)], st),
        _p("2. Жилищно-бытовые условия", st.section),
        _p(_or_empty(act.housing), st.body),
        _p("3. Психологический климат в семье", st.section),
        _p(_or_empty(act.psychological_climate), st.body),
        _p("4. Доходы семьи", st.section),
        _field_rows([("Среднедушевой доход, руб. в месяц", _money(act.income_per_person)),
                     ("Прожиточный минимум на душу, руб. в месяц", _money(act.subsistence_minimum)),
                     ("Оценка", income_note)], st),
        _p("5. Признаки нуждаемости", st.section),
        _p(_or_empty("; ".join(need_labels(act.need_indicators))), st.body),
        _p("Обстоятельства, которые ухудшают или могут ухудшить условия жизнедеятельности", st.head),
        _p(_or_empty(act.circumstances), st.body),
        _p("6. Заключение комиссии", st.section),
        _field_rows([("Рекомендуемый уровень сопровождения", act.get_recommended_level_display()),
                     ("Форма социального обслуживания", dict(SupportForm.choices).get(act.support_form, "")),
                     ("Виды социальных услуг и иной помощи",
                      "; ".join(str(help_kinds.get(kind, kind)) for kind in act.help_kinds)),
                     ("Заключение", act.conclusion)], st),
        Spacer(1, 4 * mm),
        _signatures([("Обследование провёл", act.inspector), ("Члены комиссии", ""), ("", ""),
                     ("С актом ознакомлен(а)", "")], st),
    ]
    return _render(story, f"Акт обследования от {act.inspected_on:%d.%m.%Y}")


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") if value is not None else ""


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


#: The personal data each document shows, for the access record.
PROGRAMME_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "phone", "address", "categories",
                    "household")
ACT_FIELDS = ("address", "household", "housing", "income", "need_indicators")


def programme_document(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request_viewer(request)
    try:
        case = selectors.get_case(viewer=viewer, case_id=pk)
    except NotFound:
        raise Http404 from None
    content = programme_pdf(case, extensions=_extensions(case))
    audit.record_read(viewer=viewer, verb="case.programme.print", obj=case.applicant, fields=PROGRAMME_FIELDS)
    return _pdf_response(content, f"programme-{case.code}.pdf")


def inspection_act_document(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request_viewer(request)
    signal = selectors.signals_for(viewer).filter(pk=pk).select_related("precinct__district", "institution").first()
    act = InspectionAct.objects.filter(signal=signal).first() if signal is not None else None
    if signal is None or act is None:
        raise Http404
    content = inspection_act_pdf(signal, act)
    audit.record_read(viewer=viewer, verb="signal.act.print", obj=signal, fields=ACT_FIELDS)
    return _pdf_response(content, f"inspection-act-{signal.pk}.pdf")
