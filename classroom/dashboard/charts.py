"""Charts drawn on the server as SVG: no chart library, no CDN, every label escaped.

Each chart is an image with a title and description for screen readers; the page puts the same
numbers in a table beside it, for reading aloud and for printing.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..filmtime import format_film_time

SVG_NS = "http://www.w3.org/2000/svg"


def _e(value: object) -> str:
    """Escape text or an attribute value for the SVG markup."""
    return str(escape(str(value)))


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    cid = _e(chart_id)
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{_e(title)}</title>',
        f'<desc id="{cid}-desc">{_e(description)}</desc>',
    ]


def _minutes(seconds: int) -> str:
    """A film time as H:MM for axis labels."""
    return format_film_time(seconds)[:-3]


def histogram(counts: list[int], *, chart_id: str, title: str, description: str, bin_seconds: int = 300) -> Markup:
    """Vertical bars over the film's running time, one per bin, with the count above each non-empty bar."""
    width, height, left, right, top, bottom = 640, 220, 36, 10, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) > 0 else 1
    slot = plot_w / max(len(counts), 1)
    parts = _open(chart_id, width, height, title, description)
    parts.append(
        f'<g class="chart__axis"><line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>'
    )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/></g>')
    parts.append(f'<text class="chart__label" x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>')
    parts.append(f'<text class="chart__label" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>')
    for index, count in enumerate(counts):
        start = index * bin_seconds
        x = left + index * slot + 2
        bar_h = plot_h * count / peak
        y = top + plot_h - bar_h
        label = f"{_minutes(start)} to {_minutes(start + bin_seconds)}: {count}"
        parts.append(
            f'<rect class="chart__bar" x="{x:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{bar_h:.1f}">'
            f"<title>{_e(label)}</title></rect>"
        )
        if count:
            parts.append(
                f'<text class="chart__value" x="{x + (slot - 4) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>'
            )
        if index % 3 == 0:
            parts.append(
                f'<text class="chart__label" x="{left + index * slot:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="start">{_e(_minutes(start))}</text>'
            )
    parts.append(
        f'<text class="chart__label" x="{width - right}" y="{top + plot_h + 16}" text-anchor="end">'
        f"{_e(_minutes(len(counts) * bin_seconds))}</text>"
    )
    parts.append(
        f'<text class="chart__label" x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">'
        "Time in the film (hours:minutes)</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def paired_bars(
    labels: list[str],
    before: list[int],
    after: list[int],
    *,
    chart_id: str,
    title: str,
    description: str,
    series: tuple[str, str] = ("Before viewing", "After viewing"),
) -> Markup:
    """Horizontal bars, two per answer (before and after), with counts written at the end of each bar."""
    width, left, right, top = 640, 10, 40, 34
    label_h, bar_h, gap = 18, 16, 14
    group_h = label_h + 2 * bar_h + gap
    height = top + group_h * max(len(labels), 1) + 4
    plot_w = width - left - right
    peak = max([*before, *after, 1])
    parts = _open(chart_id, width, height, title, description)
    # A legend that does not rely on colour: the bars also differ in pattern (solid / outlined).
    parts.append(f'<rect class="chart__bar" x="{left}" y="6" width="14" height="12"/>')
    parts.append(f'<text class="chart__label" x="{left + 20}" y="16">{_e(series[0])}</text>')
    parts.append(f'<rect class="chart__bar chart__bar--after" x="{left + 180}" y="6" width="14" height="12"/>')
    parts.append(f'<text class="chart__label" x="{left + 200}" y="16">{_e(series[1])}</text>')
    for index, label in enumerate(labels):
        y = top + index * group_h
        parts.append(f'<text class="chart__label chart__label--strong" x="{left}" y="{y + 13}">{_e(label)}</text>')
        for offset, (values, css, name) in enumerate(
            ((before, "chart__bar", series[0]), (after, "chart__bar chart__bar--after", series[1]))
        ):
            value = values[index] if index < len(values) else 0
            bar_y = y + label_h + offset * bar_h
            bar_w = plot_w * value / peak
            parts.append(
                f'<rect class="{css}" x="{left}" y="{bar_y}" width="{bar_w:.1f}" height="{bar_h - 3}">'
                f"<title>{_e(f'{label}, {name}: {value}')}</title></rect>"
            )
            parts.append(
                f'<text class="chart__value" x="{left + bar_w + 4:.1f}" y="{bar_y + bar_h - 5}">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
