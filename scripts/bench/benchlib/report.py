"""A run's output: the machine description, running the selected measures into the results
record, the command that repeats a measure, and the summary printed at the end."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
from pathlib import Path

from .core import Context, Measure, log, run_checked


def machine() -> dict:
    info: dict = {"nproc": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_total_kib"] = int(line.split()[1])
    except OSError:
        pass
    info["loadavg"] = os.getloadavg()
    try:
        info["git_dirty"] = bool(run_checked(["git", "status", "--porcelain", "--untracked-files=no"]).strip())
    except (RuntimeError, OSError):
        info["git_dirty"] = None
    info["kernel"] = os.uname().release
    for key, argv in [("rustc", ["rustc", "--version"]), ("openssl", ["openssl", "version"]),
                      ("git_commit", ["git", "rev-parse", "HEAD"])]:
        try:
            info[key] = run_checked(argv).strip()
        except (RuntimeError, OSError):
            info[key] = None
    return info


def reproduce_command(m: Measure, args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    """The command line that repeats this measure with the options it used."""
    cmd = ["python3", "scripts/bench/run.py", m.id]
    for dest in m.options:
        value, default = getattr(args, dest), parser.get_default(dest)
        if dest == "pin":
            if not value:
                cmd.append("--no-pin")
        elif dest in ("reps", "seconds", "build_reps", "mib", "objects") or value != default:
            flag = "--" + dest.replace("_", "-")
            cmd.append(f"{flag}={value!r}" if isinstance(value, str) else f"{flag} {value}")
    if args.features:
        # Changes every measure that runs a crates/bench binary, so it is always repeated.
        cmd.append(f"--features={args.features!r}")
    return " ".join(cmd)


def run_measures(measures: list[Measure], selected: list[str], args: argparse.Namespace,
                 parser: argparse.ArgumentParser) -> dict:
    """Runs the `selected` ids of `measures` (run.py's table) in table order; the results record.

    Every measure of the table gets an entry: measured, failed, not available, pending or not run.
    """
    ctx = Context(args)
    started = _dt.datetime.now(_dt.timezone.utc)
    out: dict = {"schema": 1, "started": started.isoformat(timespec="seconds"), "machine": machine(),
                 "options": {k: str(v) if isinstance(v, Path) else v
                             for k, v in vars(args).items() if k not in ("measures", "list")},
                 "measures": {}}
    for m in measures:
        entry: dict = {"title": m.title, "goal": {"op": m.goal.op, "value": m.goal.value, "unit": m.goal.unit,
                                                  "text": m.goal.text()},
                     "compares": {"a": m.a, "b": m.b}}
        if m.run is None:
            entry.update(status="pending", reason=m.pending)
        elif m.id not in selected:
            entry.update(status="not run", reason="not selected in this run")
        else:
            reason = m.available(ctx) if m.available else None
            if reason:
                entry.update(status="not available", reason=reason)
                log(f"{m.id}: not available: {reason}")
            else:
                log(f"{m.id}: {m.title}")
                try:
                    res = m.run(ctx)
                except (RuntimeError, ValueError, OSError, KeyError, json.JSONDecodeError) as e:
                    entry.update(status="failed", reason=str(e))
                    log(f"{m.id}: FAILED: {e}")
                    out["measures"][m.id] = entry
                    continue
                med = res["value"]["median"]
                entry.update(status="measured", command=reproduce_command(m, args, parser), met=m.goal.met(med), **res)
        out["measures"][m.id] = entry
    out["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    out["machine"]["loadavg_end"] = os.getloadavg()
    return out


def fmt(x: float) -> str:
    return f"{x:,.3f}" if abs(x) < 100 else f"{x:,.1f}"


def print_summary(results: dict) -> None:
    for mid, e in results["measures"].items():
        if e["status"] == "measured":
            v = e["value"]
            unit = "×" if e["unit"] == "×" else f" {e['unit']}"
            verdict = "meets" if e["met"] else "MISSES"
            line = (f"{mid:4} {e['title']}: median {fmt(v['median'])}{unit} (min {fmt(v['min'])}, "
                    f"max {fmt(v['max'])}) {verdict} goal {e['goal']['text']}")
            if e["kind"] == "ratio":
                line += (f"\n     A {e['a']['name']}: median {fmt(e['a']['median'])} {e['a']['unit']} "
                         f"({fmt(e['a']['min'])}–{fmt(e['a']['max'])})"
                         f"\n     B {e['b']['name']}: median {fmt(e['b']['median'])} {e['b']['unit']} "
                         f"({fmt(e['b']['min'])}–{fmt(e['b']['max'])})")
            print(line)
        else:
            print(f"{mid:4} {e['title']}: {e['status']} ({e['reason']})")
