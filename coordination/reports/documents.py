"""The report as a Word document, because the city works in Word (python-docx)."""

import io

from docx import Document
from docx.shared import Pt


def report_docx(*, report, committee, questions, answers, focus, template) -> bytes:
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading("Uppföljningsrapport näringsliv", level=0)
    document.add_paragraph(f"{template.name} – {report.year} {report.period}")
    table = document.add_table(rows=4, cols=2)
    for row, (label, value) in zip(table.rows, [("Nämnd", committee.name),
                                                ("Kontaktperson för eventuella frågor", report.contact_name),
                                                ("Telefon", report.contact_phone), ("E-post", report.contact_email)]):
        row.cells[0].text, row.cells[1].text = label, value or ""
    if template.intro:
        document.add_paragraph(template.intro)
    current = object()
    for question in questions:
        if question.focus_area_id != current:
            current = question.focus_area_id
            area = focus.get(current)
            document.add_heading(f"{area.id}. {area.name_sv}" if area else "Övrigt", level=1)
        document.add_heading(question.text, level=2)
        answer = answers.get(question.id)
        for paragraph in ((answer.text if answer else "") or "–").split("\n"):
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
