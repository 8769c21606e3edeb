"""Server-rendered SVG charts (pygal), shown as images with a text alternative; nothing is
fetched at run time and nothing needs JavaScript."""

import base64

import pygal
from pygal.style import Style

STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
              foreground_subtle="#4d4d4d", colors=("#0058a1", "#8a6100", "#1e7b34", "#b00020"), font_family="sans-serif",
              label_font_size=13, major_label_font_size=13, legend_font_size=13, title_font_size=15)


def _config(chart):
    chart.config.js = []  # pygal would load its tooltip script from the internet
    chart.config.disable_xml_declaration = True
    chart.config.style = STYLE
    chart.config.height = 320
    chart.config.width = 720
    chart.config.legend_at_bottom = True
    return chart


def data_uri(chart) -> str:
    svg = chart.render()
    svg = svg.encode("utf-8") if isinstance(svg, str) else svg
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def bar(title: str, labels: list[str], series: dict[str, list[int]]) -> str:
    chart = _config(pygal.Bar(title=title, x_label_rotation=20 if len(labels) > 6 else 0))
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return data_uri(chart)


def line(title: str, labels: list[str], series: dict[str, list[int]]) -> str:
    chart = _config(pygal.Line(title=title, x_label_rotation=30))
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return data_uri(chart)
