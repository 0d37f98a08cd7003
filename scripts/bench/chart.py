#!/usr/bin/env python3
"""Renders docs/benchmarks.svg: every measure's figure against its goal (standard library only).

    python3 scripts/bench/chart.py                      # newest result per measure in bench-results/
    python3 scripts/bench/chart.py bench-results/X.json # only these files
    python3 scripts/bench/chart.py --markdown           # also print a Markdown table for BENCHMARKS.md

For each measure it takes the newest file (by name, which starts with the UTC time) in which the
measure was measured; a measure never measured shows its newest status (pending, not available).
Each row has its own linear scale from 0: a bar to the median, a whisker from min to max, and a
dashed line at the goal. Green meets the goal, red misses it, grey is not measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "bench-results"
OUT = ROOT / "docs" / "benchmarks.svg"

WIDTH = 1000
ROW_H = 46
TOP = 64
LABEL_W = 360
BAR_X0 = LABEL_W + 10
BAR_W = 360
GREEN, RED, GREY = "#2e7d32", "#c62828", "#9e9e9e"


def load(files: list[Path]) -> tuple[dict, list[str]]:
    """Merges results files: measure id -> (entry, file name, machine)."""
    merged: dict = {}
    order: list[str] = []
    for f in sorted(files, key=lambda p: p.name):
        data = json.loads(f.read_text())
        for mid, e in data["measures"].items():
            if mid not in order:
                order.append(mid)
            prev = merged.get(mid)
            if e["status"] == "measured" or prev is None or prev[0]["status"] != "measured":
                if e["status"] == "not run" and prev is not None:
                    continue
                merged[mid] = (e, f.name, data.get("machine", {}))
    return merged, order


def fmt(x: float, unit: str) -> str:
    if unit == "×":
        return f"{x:.2f}×"
    return f"{x:,.0f} {unit}" if x >= 100 else f"{x:.1f} {unit}"


def render(merged: dict, order: list[str]) -> str:
    height = TOP + ROW_H * len(order) + 56
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        '<text x="16" y="28" font-size="18" font-weight="bold">oci-tower benchmarks: measured against goals</text>',
        '<text x="16" y="48" fill="#555">bar = median, whisker = min–max over the repetitions, '
        'dashed line = goal; ratios are oci-tower / the other side, measured side by side</text>',
    ]
    machines = set()
    for i, mid in enumerate(order):
        e, fname, mach = merged[mid]
        y = TOP + i * ROW_H
        if i % 2 == 0:
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_H}" fill="#f6f6f6"/>')
        cy = y + ROW_H / 2
        title = f"{mid}  {e['title']}"
        parts.append(f'<text x="16" y="{cy + 4:.1f}">{escape(title)}</text>')
        goal = e["goal"]
        if e["status"] != "measured":
            parts.append(f'<text x="{BAR_X0}" y="{cy + 4:.1f}" fill="{GREY}" font-style="italic">'
                         f'{escape(e["status"])} (goal {escape(goal["text"])})</text>')
            continue
        machines.add(f"{mach.get('nproc', '?')} × {mach.get('cpu', '?')}")
        v = e["value"]
        unit = e["unit"]
        scale_max = max(goal["value"], v["max"]) * 1.15
        x = lambda val: BAR_X0 + BAR_W * (val / scale_max)  # noqa: E731
        color = GREEN if e["met"] else RED
        bar_h = 16
        parts.append(f'<line x1="{BAR_X0}" y1="{y + 6}" x2="{BAR_X0}" y2="{y + ROW_H - 6}" stroke="#333"/>')
        parts.append(f'<rect x="{BAR_X0}" y="{cy - bar_h / 2:.1f}" width="{x(v["median"]) - BAR_X0:.1f}" '
                     f'height="{bar_h}" fill="{color}" opacity="0.85"/>')
        parts.append(f'<line x1="{x(v["min"]):.1f}" y1="{cy:.1f}" x2="{x(v["max"]):.1f}" y2="{cy:.1f}" '
                     f'stroke="#000" stroke-width="1.5"/>')
        for end in (v["min"], v["max"]):
            parts.append(f'<line x1="{x(end):.1f}" y1="{cy - 5:.1f}" x2="{x(end):.1f}" y2="{cy + 5:.1f}" '
                         f'stroke="#000" stroke-width="1.5"/>')
        gx = x(goal["value"])
        parts.append(f'<line x1="{gx:.1f}" y1="{y + 4}" x2="{gx:.1f}" y2="{y + ROW_H - 4}" stroke="#1565c0" '
                     f'stroke-width="2" stroke-dasharray="4,3"/>')
        parts.append(f'<text x="{gx + 3:.1f}" y="{y + 13}" font-size="10" fill="#1565c0">'
                     f'goal {escape(goal["text"])}</text>')
        verdict = "meets" if e["met"] else "misses"
        label = f'{fmt(v["median"], unit)} ({fmt(v["min"], unit)}–{fmt(v["max"], unit)}) {verdict}'
        parts.append(f'<text x="{BAR_X0 + BAR_W + 12}" y="{cy + 4:.1f}" fill="{color}">{escape(label)}</text>')
    foot = ("machine: " + "; ".join(sorted(machines)) + ", shared with other builds (only side-by-side ratios count)"
            if machines else "no measured results yet")
    parts.append(f'<text x="16" y="{height - 20}" fill="#555" font-size="11">{escape(foot)} — raw results in '
                 'bench-results/, method in BENCHMARKS.md</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def markdown(merged: dict, order: list[str]) -> str:
    rows = ["| measure | goal | measured (median, min–max) | verdict | results file |", "|---|---|---|---|---|"]
    for mid in order:
        e, fname, _ = merged[mid]
        if e["status"] == "measured":
            v, u = e["value"], e["unit"]
            got = f"{fmt(v['median'], u)} ({fmt(v['min'], u)}–{fmt(v['max'], u)})"
            verdict = "meets" if e["met"] else "**misses**"
            src = f"`bench-results/{fname}`"
        else:
            got, verdict, src = e["status"], "—", "—"
        rows.append(f"| {mid} {e['title']} | {e['goal']['text']} | {got} | {verdict} | {src} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="results files (default: bench-results/*.json)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table too")
    args = ap.parse_args(argv)
    files = args.files or sorted(RESULTS_DIR.glob("*.json"))
    if not files:
        print("no results files: run scripts/bench/run.py first", file=sys.stderr)
        return 1
    merged, order = load(files)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(merged, order))
    print(f"wrote {args.out}")
    if args.markdown:
        print(markdown(merged, order))
    return 0


if __name__ == "__main__":
    sys.exit(main())
