"""Charts drawn on the server as SVG (pygal), made fit to sit inline in our pages.

pygal writes a <script> (its tooltips' configuration) and a <style> into every chart, and
one `style` attribute; the page's Content-Security-Policy (security_headers.py: no inline
script or style) would block all three. They are taken out: the look comes from app.css
(« Graphiques »). Readable without colour: every series gets its own hatching pattern,
values are written on the bars and slices, the SVG has a <title> and a <desc> saying the
numbers, and the template draws the data table beside it.
"""
import uuid
from xml.etree import ElementTree

from flask_babel import gettext as _
from markupsafe import Markup

SVG = "{http://www.w3.org/2000/svg}"
# The classes pygal writes that app.css (« Graphiques ») styles, named here for
# tests/test_templates.py, which checks every CSS class has a writer:
# class="axis background centered guide legends line major no_data plot text-overlay title
# value x y"
# Pattern n: a base tint and hatching at its own angle and spacing (grey-scale readable).
TINTS = ("#1d4f91", "#b5462a", "#2f7d4f", "#7a4fa0", "#8a6d00", "#00708a", "#a0325f",
         "#4d5b6b")
ANGLES = (0, 45, 90, 135, 22, 67, 112, 157)
SPACINGS = (0, 6, 8, 5, 10, 7, 9, 4)  # 0: plain


def duration(minutes: int) -> str:
    """Minutes as « 3 h 05 » (or « 45 min »)."""
    minutes = int(minutes or 0)
    if minutes < 60:
        return _("%(m)d min", m=minutes)
    return _("%(h)d h %(m)02d", h=minutes // 60, m=minutes % 60)


def render_svg(data, style: str = "bar") -> Markup:
    """The chart as inline, accessible SVG; empty Markup for the « table » style."""
    if style == "table":
        return Markup("")
    chart_id = "chart-" + uuid.uuid4().hex[:12]
    chart = _pie(data) if style == "pie" else _bar(data)
    chart.add_xml_filter(lambda root: _clean(root, chart_id, data))
    return Markup(chart.render(is_unicode=True))


def _config(data, **extra):
    formatter = duration if data.unit == "minutes" else (lambda v: f"{int(v or 0)}")
    return dict(js=[], disable_xml_declaration=True, no_prefix=True, title=data.title,
                legend_at_bottom=True,
                truncate_label=24, truncate_legend=30, width=720, height=400,
                value_formatter=formatter, print_zeroes=False,
                no_data_text=_("Aucun ticket"), classes=["pygal-chart", "chart-svg"], **extra)


def _bar(data):
    import pygal  # here: 2 MB that a web worker pays only once it draws a chart
    count = len(data.labels)
    every = max(1, -(-count // 12))  # about twelve labels under the axis at most
    chart = pygal.Bar(**_config(
        data, x_label_rotation=40 if count > 8 else 0, print_values_position="top",
        print_values=count <= (31 if len(data.series) == 1 else 8),
        show_legend=len(data.series) > 1,
        show_minor_x_labels=every == 1, x_labels_major_every=every,
        y_labels=_y_labels(data)))
    chart.x_labels = data.labels
    for name, values in data.series:
        chart.add(name, values)
    return chart


def _y_labels(data) -> list[int]:
    """Whole steps up the value axis (tickets are not counted in halves): about eight."""
    top = max([v for _name, values in data.series for v in values] or [0])
    step = max(1, -(-top // 8))
    if data.unit == "minutes":  # round minutes: 5, 10, 15, 30 min, then whole hours
        step = next((s for s in (1, 5, 10, 15, 30) if s >= step), -(-step // 60) * 60)
    return list(range(0, top + step + 1, step)) if top else [0, 1]


def _pie(data):
    import pygal
    chart = pygal.Pie(**_config(data, inner_radius=0, print_values=True))
    for label, value in zip(data.labels, data.values):
        chart.add(label, [value] if value else [])
    return chart


def _clean(root, chart_id: str, data):
    """Drop pygal's script, style and tooltips; add patterns, ids, role and description."""
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.removeprefix(SVG) if isinstance(child.tag, str) else "comment"
            if tag in ("script", "style", "comment") \
                    or "tooltip-overlay" in child.get("class", ""):
                parent.remove(child)
        parent.attrib.pop("style", None)
    defs, title = _child(root, "defs"), _child(root, "title")
    if title is not None:
        title.set("id", f"{chart_id}-title")
        desc = ElementTree.Element("desc", id=f"{chart_id}-desc")
        desc.text = describe(data)
        root.insert(list(root).index(title) + 1, desc)
    if defs is not None:
        for index in range(len(TINTS)):
            defs.append(_pattern(chart_id, index))
    _fill_series(root, chart_id)
    return root


def _child(root, tag: str):
    found = root.find(SVG + tag)
    return found if found is not None else root.find(tag)


def describe(data) -> str:
    """The numbers in words, for screen readers (the table says them too)."""
    def said(value):
        return duration(value) if data.unit == "minutes" else str(value)
    parts = []
    for name, values in data.series:
        pairs = ", ".join(f"{label} : {said(v)}" for label, v in zip(data.labels, values))
        parts.append(f"{name} — {pairs}" if len(data.series) > 1 else pairs)
    return f"{data.title}. " + " ; ".join(parts) if parts else data.title


def _pattern(chart_id: str, index: int):
    pattern = ElementTree.Element(
        "pattern", id=f"{chart_id}-p{index}", patternUnits="userSpaceOnUse",
        width=str(SPACINGS[index] or 8), height=str(SPACINGS[index] or 8),
        patternTransform=f"rotate({ANGLES[index]})")
    ElementTree.SubElement(pattern, "rect", width="100%", height="100%", fill=TINTS[index])
    if SPACINGS[index]:
        ElementTree.SubElement(pattern, "rect", width="2", height=str(SPACINGS[index]),
                               fill="#ffffff", **{"fill-opacity": "0.75"})
    return pattern


def _fill_series(root, chart_id: str) -> None:
    """Fill each series' shapes and legend box with its pattern (attributes, not styles)."""
    for element in root.iter():
        classes = element.get("class", "").split()
        colour = next((c for c in classes if c.startswith("color-")), None)
        if colour is None or "text-overlay" in classes:
            continue
        index = int(colour.split("-")[1]) % len(TINTS)
        shapes = [element] if element.tag.endswith("rect") else [
            e for e in element.iter() if e.tag.endswith(("rect", "path"))]
        for shape in shapes:
            shape.set("fill", f"url(#{chart_id}-p{index})")
            shape.set("stroke", TINTS[index])
