"""Printable documents with WeasyPrint: page numbers and the city-style header come from the
print stylesheet in the template."""

from weasyprint import HTML


def render_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()
