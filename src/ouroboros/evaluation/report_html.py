"""A self-contained HTML report: summary table, equity and drawdown charts, trade markers.

Charts are inline SVG drawn here, so the file opens from disk with no network and no script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ouroboros.evaluation.stats import Statistics
from ouroboros.evaluation.trades import Trade

W, H, PAD = 960, 260, 40


def _scale(
    values: npt.NDArray[np.float64], lo: float, hi: float, height: int
) -> npt.NDArray[np.float64]:
    span = hi - lo if hi > lo else 1.0
    return height - PAD / 2 - (values - lo) / span * (height - PAD)


def _polyline(xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], color: str) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return f'<polyline fill="none" stroke="{color}" stroke-width="1.4" points="{points}"/>'


def _chart(title: str, body: str, labels: tuple[str, str]) -> str:
    return (
        f'<h2>{html.escape(title)}</h2><svg viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="{html.escape(title)}"><rect width="{W}" height="{H}" fill="#fafafa"/>'
        f'{body}<text x="{PAD}" y="{H - 4}" font-size="11">{html.escape(labels[0])}</text>'
        f'<text x="{W - PAD}" y="{H - 4}" font-size="11" text-anchor="end">'
        f"{html.escape(labels[1])}</text></svg>"
    )


def render_report(
    title: str,
    stats: Statistics,
    times: Sequence[datetime],
    equity: npt.NDArray[np.float64],
    trades: Sequence[Trade],
    extra: dict[str, str] | None = None,
) -> str:
    if len(equity) == 0:
        raise ValueError("nothing to report: the equity curve is empty")
    n = len(equity)
    xs: npt.NDArray[np.float64] = PAD + np.arange(n, dtype=np.float64) * (
        (W - 2 * PAD) / max(n - 1, 1)
    )
    lo, hi = float(np.min(equity)), float(np.max(equity))
    eq_y = _scale(equity, lo, hi, H)
    stamps = np.asarray([t.timestamp() for t in times], dtype=np.float64)
    markers = []
    for trade in trades:
        for ts, color in ((trade.entry_ts, "#2a9d3a"), (trade.exit_ts, "#c0392b")):
            i = _nearest(stamps, ts)
            if i is not None:
                markers.append(
                    f'<circle cx="{xs[i]:.1f}" cy="{eq_y[i]:.1f}" r="2.5" fill="{color}"/>'
                )
    peak = np.maximum.accumulate(equity)
    drawdown = (equity - peak) / peak * 100
    dd_y = _scale(np.asarray(drawdown, dtype=np.float64), float(np.min(drawdown)), 0.0, H)
    span = (times[0].date().isoformat(), times[-1].date().isoformat()) if times else ("", "")
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in stats.to_dict().items()
    )
    extra_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in (extra or {}).items()
    )
    money_in = stats.currency or "the base currency"
    trade_rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(str(v or ''))}</td>" for v in t.to_dict().values())
        + "</tr>"
        for t in trades[-200:]
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}}
table{{border-collapse:collapse}}th{{text-align:left}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}}</style></head>
<body><h1>{html.escape(title)}</h1><table>{rows}{extra_rows}</table>
{_chart("Equity", _polyline(xs, eq_y, "#1f4e79") + "".join(markers), span)}
{_chart("Drawdown %", _polyline(xs, dd_y, "#c0392b"), span)}
<h2>Trades (last 200; green = entry, red = exit on the equity chart)</h2>
<p>Prices, P&amp;L and fees of each trade are in its own currency; open trades show their P&amp;L
marked to market at the last close. The statistics above are in {html.escape(money_in)}.</p>
<table><tr><th>instrument</th><th>currency</th><th>entry</th><th>entry price</th><th>qty</th>
<th>exit</th><th>exit price</th><th>pnl</th><th>fees</th></tr>{trade_rows}</table></body></html>"""


def _fmt(value: float | int | str | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def _nearest(stamps: npt.NDArray[np.float64], ts: datetime | None) -> int | None:
    """Index of the first equity point at or after ``ts`` (fills happen between closes)."""
    if ts is None or not len(stamps):
        return None
    return min(int(np.searchsorted(stamps, ts.timestamp())), len(stamps) - 1)


def write_report(path: Path, content: str) -> Path:
    """Write atomically: a temporary file renamed over ``path``; on any failure (disk full, a
    folder that is a file) the temporary file is removed, so nothing half-written remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
