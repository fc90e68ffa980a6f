"""Files of a report: XLSX (frozen header, numbers as numbers), CSV (UTF-8 with BOM, `;` as Excel in Russia
expects), PDF (DejaVu fonts for Cyrillic, landscape A4, one section per table) and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from portal.reports.figures import Cell, Report, Table

FORMATS = ("xlsx", "csv", "pdf", "json")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}
#: Debian's fonts-dejavu-core (Cyrillic); .ci/setup-env installs it.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def file_name(report: Report, fmt: str) -> str:
    scope = report.scope or "region"
    return f"{report.kind}-{report.period}-{scope}.{fmt}"


def _stamp(report: Report) -> str:
    moment = timezone.localtime(dt.datetime.fromisoformat(report.as_of))
    if report.submitted_at:
        submitted = timezone.localtime(dt.datetime.fromisoformat(report.submitted_at))
        return f"Сдан {submitted:%d.%m.%Y %H:%M}, {report.submitted_by}; данные по состоянию на {moment:%d.%m.%Y %H:%M}"
    return f"Черновик по состоянию на {moment:%d.%m.%Y %H:%M}"


def _header_lines(report: Report) -> list[str]:
    lines = [report.title, f"Период: {report.period_label}; {report.scope_label}", _stamp(report)]
    if report.deadline:
        lines.append(f"Срок сдачи: до {dt.date.fromisoformat(report.deadline):%d.%m.%Y}")
    return lines


def _rows(table: Table) -> list[list[Cell]]:
    rows = [[row.get(c.key) for c in table.columns] for row in table.rows]
    if table.total:
        rows.append([table.total.get(c.key) for c in table.columns])
    return rows


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        for line in [table.title, *_header_lines(report)[1:]]:
            sheet.append([line])
        sheet["A1"].font = Font(bold=True)
        header_row = sheet.max_row + 1
        sheet.append([c.label for c in table.columns])
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values in _rows(table):
            sheet.append(values)  # ints and floats stay numbers; «<3» is text
        if table.total:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if column.kind == "text" else 16
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for line in _header_lines(report):
        writer.writerow([line])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([c.label for c in table.columns])
        for values in _rows(table):
            writer.writerow(["" if v is None else str(v).replace(".", ",") if isinstance(v, float) else v
                             for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(report: Report) -> bytes:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
                break
        else:
            raise RuntimeError("DejaVu fonts are missing: apt-get install fonts-dejavu-core")
    return "DejaVuSans", "DejaVuSans-Bold"


def to_pdf(report: Report) -> bytes:
    """Landscape A4; the first page carries the title and the first table, every further table starts a page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    regular, bold = _fonts()
    text = ParagraphStyle("text", fontName=regular, fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName=bold, fontSize=12, leading=15, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=6.5, leading=8)
    head = ParagraphStyle("head", fontName=bold, fontSize=6.5, leading=8)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                                 topMargin=10 * mm, bottomMargin=10 * mm, title=report.title)
    width = landscape(A4)[0] - 20 * mm
    story: list = [Paragraph(report.title, title)]
    story += [Paragraph(line, text) for line in _header_lines(report)[1:]]
    for note in report.notes:
        story.append(Paragraph(note, text))
    for index, table in enumerate(report.tables):
        if index:
            story.append(PageBreak())
        story += [Spacer(1, 4 * mm), Paragraph(table.title, title)]
        weights = [3 if c.kind == "text" else 1 for c in table.columns]
        widths = [width * w / sum(weights) for w in weights]
        data = [[Paragraph(c.label, head) for c in table.columns]]
        data += [[Paragraph("" if v is None else str(v), cell) for v in values] for values in _rows(table)]
        grid = LongTable(data, colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.95)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(grid)
    document.build(story)
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Report], bytes]] = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf, "json": to_json}


def render(report: Report, fmt: str) -> bytes:
    return WRITERS[fmt](report)
