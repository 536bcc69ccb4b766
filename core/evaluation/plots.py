"""Report plots: per-system P/R/F1 bars, F1 by code frequency bucket, latency histogram.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend
change), saved as one PNG next to the report and embedded (base64) in a standalone HTML page.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.evaluation.metrics import FREQUENCY_BUCKETS

_BAR_METRICS = (("micro_precision", "precision"), ("micro_recall", "recall"), ("micro_f1", "F1"))
_TABLE_METRICS = ("micro_precision", "micro_recall", "micro_f1", "macro_f1", "map", "exact_match", "category_f1")


def _groups(report: dict) -> list[str]:
    return ["overall", *report.get("systems", [])]


def draw_prf_bars(ax, report: dict) -> None:
    groups = _groups(report)
    width = 0.8 / len(_BAR_METRICS)
    for j, (key, label) in enumerate(_BAR_METRICS):
        xs = [i + (j - 1) * width for i in range(len(groups))]
        values = [report["metrics"][g][key] for g in groups]
        bars = ax.bar(xs, values, width, label=label)
        if key == "micro_f1":
            cis = [(report.get("ci", {}).get(g) or {}).get("micro_f1") for g in groups]
            lows = [v - ci[0] if ci else 0 for v, ci in zip(values, cis, strict=True)]
            highs = [ci[1] - v if ci else 0 for v, ci in zip(values, cis, strict=True)]
            ax.errorbar(xs, values, yerr=[lows, highs], fmt="none", ecolor="black", capsize=3)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.set_title("Micro precision / recall / F1 (F1 with 95% CI)")
    ax.legend(fontsize=8)


def draw_frequency_buckets(ax, report: dict) -> None:
    buckets = report.get("frequency_buckets", {}).get("overall", {})
    values = [buckets.get(b, {}).get("f1", 0.0) for b in FREQUENCY_BUCKETS]
    bars = ax.bar(FREQUENCY_BUCKETS, values, color="tab:green")
    labels = [f"{v:.2f}\n({buckets.get(b, {}).get('n_codes', 0)} codes)" for b, v in zip(FREQUENCY_BUCKETS, values,
                                                                                        strict=True)]
    ax.bar_label(bars, labels=labels, fontsize=7)
    ax.set_ylim(0, 1.15)
    ax.set_xlabel("times the code is gold in this dataset")
    ax.set_title("Micro F1 by gold code frequency")


def draw_latency(ax, report: dict) -> None:
    values = [c["latency_s"] for c in report.get("cases", []) if isinstance(c.get("latency_s"), int | float)]
    if not values:
        ax.text(0.5, 0.5, "no latency measured", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    ax.hist(values, bins=min(30, max(5, len(values) // 5)), color="tab:purple")
    latency = report.get("latency", {})
    for key, style in (("p50_s", "--"), ("p95_s", ":")):
        if latency.get(key) is not None:
            ax.axvline(latency[key], color="black", linestyle=style, label=f"{key[:-2]} {latency[key]:.3f}s")
    ax.set_xlabel("seconds per case")
    ax.set_title("Latency")
    ax.legend(fontsize=8)


DRAWERS = (draw_prf_bars, draw_frequency_buckets, draw_latency)


def _png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def render_summary_png(report: dict) -> bytes:
    figure = Figure(figsize=(16, 4.5), layout="constrained")
    for ax, draw in zip(figure.subplots(1, len(DRAWERS)), DRAWERS, strict=True):
        draw(ax, report)
    figure.suptitle(report_title(report))
    return _png_bytes(figure)


def render_single_png(report: dict, draw) -> bytes:
    figure = Figure(figsize=(6.5, 4.5), layout="constrained")
    draw(figure.subplots(), report)
    return _png_bytes(figure)


def report_title(report: dict) -> str:
    source = report.get("model_id") or report.get("baseline") or report.get("predictions_file") or "predictions"
    return f"{source} on {report.get('dataset', {}).get('spec', '?')} ({report.get('dataset', {}).get('n_cases', 0)} cases)"


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def render_html(report: dict) -> str:
    head = "".join(f"<th>{html.escape(m)}</th>" for m in _TABLE_METRICS)
    body = "".join(
        f"<tr><td>{html.escape(g)}</td>" + "".join(f"<td>{_fmt(report['metrics'][g].get(m))}</td>" for m in _TABLE_METRICS)
        + "</tr>" for g in _groups(report)
    )
    images = "".join(
        f'<img alt="{draw.__name__}" src="data:image/png;base64,{base64.b64encode(render_single_png(report, draw)).decode()}">'
        for draw in DRAWERS
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(report_title(report))}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}img{max-width:48%;margin:1%}</style>"
        f"</head><body><h1>{html.escape(report_title(report))}</h1>"
        f"<table><tr><th>scope</th>{head}</tr>{body}</table><div>{images}</div></body></html>\n"
    )


def write_plots(report: dict, report_path: Path) -> dict[str, Path]:
    """Write <report>.png (all plots) and <report>.html (table + embedded plots); return their paths."""
    png_path, html_path = report_path.with_suffix(".png"), report_path.with_suffix(".html")
    png_path.write_bytes(render_summary_png(report))
    html_path.write_text(render_html(report), encoding="utf-8")
    return {"png": png_path, "html": html_path}
