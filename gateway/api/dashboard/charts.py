"""Small inline SVG charts, rendered on the server: no script, no chart library to vendor or keep up to date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 260, 70, 40, 16


def _money(value: float) -> str:
    if value == 0 or value >= 1:
        return f"{value:,.2f} €"
    return f"{value:.2g} €"  # mock and small-model costs are fractions of a cent


def line_chart(days: Sequence[str], series: Mapping[str, Sequence[float]], title: str) -> Markup:
    """One line per series over `days` (x axis), EUR on the y axis, with a legend."""
    plot_w, plot_h = WIDTH - PAD_LEFT - 20, HEIGHT - PAD_BOTTOM - PAD_TOP
    top = max((v for values in series.values() for v in values), default=0.0) or 1.0
    step = plot_w / max(len(days) - 1, 1)

    def point(i: int, v: float) -> str:
        return f"{PAD_LEFT + i * step:.1f},{PAD_TOP + plot_h - v / top * plot_h:.1f}"

    parts = [
        (f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT + 24 * len(series)}"'
         f' width="{WIDTH}" xmlns="http://www.w3.org/2000/svg">'),
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 20}" y2="{PAD_TOP + plot_h}" stroke="#9ca3af"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + plot_h}" stroke="#9ca3af"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end" font-size="11">{escape(_money(top))}</text>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i in sorted({0, len(days) - 1, len(days) // 2}) if days else ():
        anchor = "end" if i == len(days) - 1 else "start" if i == 0 else "middle"
        parts.append(f'<text x="{PAD_LEFT + i * step:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="{anchor}"'
                     f' font-size="11">{escape(days[i])}</text>')
    for n, (name, values) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        points = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        parts.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{color}"/>'
                     for p, v in zip(points.split(), values, strict=True) if v)
        y = HEIGHT + 24 * n + 4
        parts.append(f'<rect x="{PAD_LEFT}" y="{y}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{PAD_LEFT + 18}" y="{y + 11}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # each text is escape()d; the rest are numbers and constants


def bar_chart(items: Sequence[tuple[str, float]], title: str) -> Markup:
    """Horizontal bars, one per (label, EUR) item, largest first."""
    rows = sorted(items, key=lambda item: item[1], reverse=True)
    top = max((v for _, v in rows), default=0.0) or 1.0
    bar_w, height = WIDTH - 320, 28 * len(rows) + 8
    parts = [(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}"'
              f' width="{WIDTH}" xmlns="http://www.w3.org/2000/svg">')]
    for n, (label, value) in enumerate(rows):
        y = 4 + 28 * n
        parts.append(f'<text x="200" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="210" y="{y}" width="{max(value / top * bar_w, 1):.1f}" height="20"'
                     f' fill="{PALETTE[n % len(PALETTE)]}"/>')
        parts.append(f'<text x="{216 + value / top * bar_w:.1f}" y="{y + 15}" font-size="12">'
                     f'{escape(_money(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # each text is escape()d; the rest are numbers and constants
