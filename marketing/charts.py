"""Charts drawn on the server as inline SVG (no CDN, no script): horizontal bars and a daily
two-series line chart. Labels are escaped; sizes are in SVG user units and scale with CSS."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR_HEIGHT = 26
BAR_GAP = 8
LABEL_WIDTH = 150
CHART_WIDTH = 640


def _number(value) -> str:
    return f"{int(value or 0):,}"


def bar_chart(rows: list[tuple[str, int, str]], *, title: str) -> str:
    """Horizontal bars: ``rows`` of (label, value, note shown after the value)."""
    if not rows:
        return ""
    top = max(int(value or 0) for _label, value, _note in rows) or 1
    bar_space = CHART_WIDTH - LABEL_WIDTH - 150
    height = len(rows) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = [f'<svg class="chart chart--bars" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for index, (label, value, note) in enumerate(rows):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        width = max(2, round(bar_space * int(value or 0) / top))
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" class="chart__label">'
                     f"{escape(str(label)[:24])}</text>")
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="3" class="chart__bar"/>')
        parts.append(f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 17}" class="chart__value">{_number(value)}'
                     f'{(" · " + escape(note)) if note else ""}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and note is escaped above


def daily_chart(days: list[tuple], *, title: str, first_label: str, second_label: str) -> str:
    """Two lines over the days: ``days`` of (date, first value, second value)."""
    if not days:
        return ""
    width, height, pad_left, pad_bottom, pad_top = CHART_WIDTH, 236, 44, 28, 28  # the legend sits above the plot
    plot_width, plot_height = width - pad_left - 10, height - pad_bottom - pad_top
    top = max(max(int(first or 0), int(second or 0)) for _day, first, second in days) or 1
    step = plot_width / max(1, len(days) - 1)

    def points(index_of_value: int) -> str:
        return " ".join(f"{pad_left + index * step:.1f},{pad_top + plot_height * (1 - int(row[index_of_value] or 0) / top):.1f}"
                        for index, row in enumerate(days))

    parts = [f'<svg class="chart chart--lines" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>",
             f'<line x1="{pad_left}" y1="{pad_top + plot_height}" x2="{width - 10}" y2="{pad_top + plot_height}" '
             f'class="chart__axis"/>',
             f'<text x="{pad_left - 6}" y="{pad_top + 8}" text-anchor="end" class="chart__tick">{_number(top)}</text>',
             f'<text x="{pad_left - 6}" y="{pad_top + plot_height}" text-anchor="end" class="chart__tick">0</text>',
             f'<polyline points="{points(1)}" class="chart__line chart__line--first" fill="none"/>',
             f'<polyline points="{points(2)}" class="chart__line chart__line--second" fill="none"/>']
    label_every = max(1, len(days) // 6)
    for index, row in enumerate(days):
        if index % label_every == 0:
            parts.append(f'<text x="{pad_left + index * step:.1f}" y="{height - 8}" text-anchor="middle" '
                         f'class="chart__tick">{row[0]:%m-%d}</text>')
    parts.append(f'<text x="{width - 10}" y="16" text-anchor="end" class="chart__legend">'
                 f'<tspan class="chart__legend--first">● {escape(first_label)}</tspan> '
                 f'<tspan class="chart__legend--second">● {escape(second_label)}</tspan></text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped above
