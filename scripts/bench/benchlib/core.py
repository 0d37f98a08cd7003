"""The runner's machinery: goals, the measure record, the context a measure gets, running
commands, A/B alternation (`side_by_side`), repeated figures (`repeated_value`) and summaries.

Every measure module builds on this; it depends on nothing else in the package.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[3]
RESULTS_DIR = ROOT / "bench-results"
MIN_REPS = 5


# --------------------------------------------------------------------------------------------
# Goals, the context a measure gets, and the measure record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A target for one figure: `op` is '>=' or '<='; `unit` is '×' for ratios."""

    op: str
    value: float
    unit: str

    def met(self, x: float) -> bool:
        return x >= self.value if self.op == ">=" else x <= self.value

    def text(self) -> str:
        sign = "≥" if self.op == ">=" else "≤"
        if self.unit == "×":
            return f"{sign} {self.value:g}×"
        return f"{sign} {self.value:g} {self.unit}"


@dataclass
class Context:
    """What a measure function gets: the options and a few shared helpers."""

    args: argparse.Namespace
    built: dict = field(default_factory=dict)

    def pin(self, argv: list[str], cpus: str) -> list[str]:
        """`taskset -c cpus argv...` when pinning is on (and taskset exists)."""
        if self.args.pin and shutil.which("taskset"):
            return ["taskset", "-c", cpus, *argv]
        return argv

    @contextlib.contextmanager
    def server(self, argv: list[str], port: int, cpus: str = "1", timeout: float = 30.0) -> Iterator[subprocess.Popen]:
        """Runs a server (e.g. the emulator) pinned to `cpus` while the block runs.

        Waits until 127.0.0.1:`port` accepts connections; stops the server afterwards (SIGTERM,
        then SIGKILL after 5 s) and raises if it died early.
        """
        proc = subprocess.Popen(self.pin(argv, cpus), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    err = proc.stderr.read() if proc.stderr else ""
                    raise RuntimeError(f"server `{' '.join(argv)}` exited {proc.returncode}: {err[-2000:]}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"server `{' '.join(argv)}` did not listen on {port} in {timeout} s")
                    time.sleep(0.05)
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stderr:
                proc.stderr.close()

    def bench_binary(self, name: str) -> Path:
        """Builds crates/bench in release once per run and returns the binary's path."""
        if "oci-bench" not in self.built:
            argv = ["cargo", "build", "--release", "--locked", "-p", "oci-bench"]
            if self.args.features:
                argv += ["--features", self.args.features]
            log(f"building oci-bench (release{', features ' + self.args.features if self.args.features else ''}) ...")
            run_checked(argv, cwd=ROOT)
            self.built["oci-bench"] = True
        path = target_dir() / "release" / name
        if not path.exists():
            raise RuntimeError(f"{path} was not built")
        return path


@dataclass
class Measure:
    """One entry of the table: an id, what it compares, its goal, and how to run it."""

    id: str
    title: str
    goal: Goal
    a: str  # what the figure is (A side of a ratio, or the measured quantity)
    b: Optional[str]  # the B side of a ratio, None for an absolute figure
    run: Optional[Callable[[Context], dict]] = None
    pending: str = ""  # why `run` is None: what has to exist first
    available: Optional[Callable[[Context], Optional[str]]] = None  # None, or why not now
    options: tuple[str, ...] = ("reps", "seconds", "pin", "cpu")  # options that change its figure


# --------------------------------------------------------------------------------------------
# Generic machinery: run a command, A/B alternation, summaries
# --------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run_checked(argv: list[str], cwd: Path = ROOT, env: Optional[dict] = None) -> str:
    return run_both(argv, cwd, env)[0]


def run_both(argv: list[str], cwd: Path = ROOT, env: Optional[dict] = None) -> tuple[str, str]:
    """Runs a command to completion; returns (stdout, stderr), or raises when it fails."""
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p.stdout, p.stderr


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "samples": values,
    }


@dataclass
class Side:
    """One side of a comparison: a command and how to read its figure from stdout."""

    name: str
    argv: list[str]
    unit: str
    parse: Callable[..., tuple[float, object]]  # (stdout, stderr[, probe delta]) -> (figure, raw record)
    # A counter read just before and just after the command (e.g. the server's CPU seconds);
    # when set, `parse` gets the difference as a third argument.
    probe: Optional[Callable[[], float]] = None


def sample(side: Side) -> tuple[float, object, float]:
    before = side.probe() if side.probe else None
    start = time.monotonic()
    out, err = run_both(side.argv)
    wall = time.monotonic() - start
    if side.probe:
        value, raw = side.parse(out, err, side.probe() - before)
    else:
        value, raw = side.parse(out, err)
    return value, raw, wall


def side_by_side(ctx: Context, a: Side, b: Side, reps: int) -> dict:
    """Runs A B A B ... `reps` pairs; the figure is the ratio A/B per pair."""
    if reps < MIN_REPS:
        raise ValueError(f"at least {MIN_REPS} repetitions are needed, got {reps}")
    a_vals, b_vals, ratios, raw = [], [], [], []
    for i in range(reps):
        va, ra, wa = sample(a)
        vb, rb, wb = sample(b)
        a_vals.append(va)
        b_vals.append(vb)
        ratios.append(va / vb)
        raw.append({"pair": i, "a": ra, "a_wall_s": wa, "b": rb, "b_wall_s": wb})
        log(f"  pair {i + 1}/{reps}: {a.name} {va:,.1f} {a.unit}, {b.name} {vb:,.1f} {b.unit}, ratio {va / vb:.3f}")
    return {
        "kind": "ratio",
        "a": {"name": a.name, "unit": a.unit, "argv": a.argv, **summary(a_vals)},
        "b": {"name": b.name, "unit": b.unit, "argv": b.argv, **summary(b_vals)},
        "value": summary(ratios),
        "unit": "×",
        "raw": raw,
    }


def repeated_value(name: str, unit: str, reps: int, once: Callable[[], tuple[float, object]]) -> dict:
    """An absolute figure measured `reps` times (e.g. a build time)."""
    vals, raw = [], []
    for i in range(reps):
        v, r = once()
        vals.append(v)
        raw.append(r)
        log(f"  run {i + 1}/{reps}: {v:,.1f} {unit}")
    return {"kind": "value", "a": {"name": name, "unit": unit}, "value": summary(vals), "unit": unit, "raw": raw}


def workspace_packages() -> list[str]:
    out = run_checked(["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"])
    return [p["name"] for p in json.loads(out)["packages"]]


# --------------------------------------------------------------------------------------------
# Reading the load generators' JSON line; requests per CPU-second
# --------------------------------------------------------------------------------------------


def parse_load(key: str = "req_per_sec") -> Callable[[str, str], tuple[float, object]]:
    """Reads the one JSON line of identity-load / plain-http / py_get_user; checks the counters."""

    def parse(out: str, _err: str) -> tuple[float, object]:
        rec = json.loads(out.strip().splitlines()[-1])
        if "signs" in rec and rec["signs"] != rec["calls"]:
            raise RuntimeError(f"signatures {rec['signs']} != calls {rec['calls']}: {rec}")
        if rec.get("users", 1000) < 1000:
            raise RuntimeError(f"fewer than 1,000 users: {rec}")
        if rec.get(key) is None:
            raise RuntimeError(f"no {key} in {rec}")
        return rec[key], rec

    return parse


def add_cpu_ratio(res: dict) -> dict:
    """Adds `per_cpu`: each side's requests per CPU-second of its own process, and their ratio.

    A secondary figure: on a machine shared with other work, how much of a core each side got
    varies from sample to sample; requests per CPU-second does not (much).
    """
    a, b, r = [], [], []
    for p in res["raw"]:
        if p["a"].get("cpu_seconds") and p["b"].get("cpu_seconds"):
            a.append(p["a"]["requests"] / p["a"]["cpu_seconds"])
            b.append(p["b"]["requests"] / p["b"]["cpu_seconds"])
            r.append(a[-1] / b[-1])
    if r:
        res["per_cpu"] = {"a_req_per_cpu_sec": summary(a), "b_req_per_cpu_sec": summary(b), "ratio": summary(r)}
        log(f"  per CPU-second: A {statistics.median(a):,.0f}, B {statistics.median(b):,.0f}, "
            f"ratio {statistics.median(r):.3f} ({min(r):.3f}-{max(r):.3f})")
    return res
