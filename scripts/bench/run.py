#!/usr/bin/env python3
"""Side-by-side benchmark runner for oci-tower (Python 3 standard library only).

    python3 scripts/bench/run.py                 # every implemented measure, 5 repetitions
    python3 scripts/bench/run.py T1 --reps 7 --seconds 3
    python3 scripts/bench/run.py T9 --build-reps 1
    python3 scripts/bench/run.py T10 T11 --mib 1024 --objects 10000   # T10 is T10a and T10b
    OCI_BENCH_VENV=/path/to/venv python3 scripts/bench/run.py T3 T4a T4b   # reuse a venv with `oci`
    python3 scripts/bench/run.py T1 T3 --features aws-lc-signer   # bench binaries with a cargo feature
    python3 scripts/bench/run.py --list          # the table of measures and their status

Rules (docs: /BENCHMARKS.md): a ratio is only meaningful when both sides run in the same
session, alternately (A B A B ...), at least 5 repetitions each; the runner reports the median
and min/max of each side and of the per-pair ratio A/B. Each side can be pinned to one CPU with
`taskset` (on by default; `--no-pin` to turn it off). Every run writes its raw results, every
sample's own JSON output included, to bench-results/<UTC time>-<measures>.json.

Adding a measure: write a function `measure_xx(ctx) -> dict` that returns `side_by_side(...)`
(a ratio of two commands) or `repeated_value(...)` (one figure against an absolute goal), and
point the measure's `run` at it in MEASURES below. `ctx.bench_binary(name)` builds crates/bench
in release, `ctx.pin(argv, cpus)` pins a command, and `with ctx.server(argv, port):` runs a
server pinned to CPU 1 for the duration of the block; `with emulator(ctx, cpus, seed_users=N) as emu:` starts
the release emulator with N users seeded, and `python_sdk(ctx)` gives the official SDK's Python (a venv
created at .bench-venv, or the one named by $OCI_BENCH_VENV). A measure whose `run` is None is reported as
"pending" with its reason; a measure whose `available` check returns a reason is reported as
"not available". Both go into the results file, so the chart and BENCHMARKS.md list them too.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "bench-results"
MIN_REPS = 5


# --------------------------------------------------------------------------------------------
# Goals and the table of measures
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


# --------------------------------------------------------------------------------------------
# T1: signer signs/s vs openssl speed rsa2048
# --------------------------------------------------------------------------------------------


def parse_sign_speed_with(key: str) -> Callable[[str, str], tuple[float, object]]:
    def parse(out: str, _err: str) -> tuple[float, object]:
        rec = json.loads(out.strip().splitlines()[-1])
        if rec["signs"] != rec["requests"]:
            raise RuntimeError(f"sign-speed: signs {rec['signs']} != requests {rec['requests']}")
        if rec["users"] < 1000 or not rec.get("last_signature_verified"):
            raise RuntimeError(f"sign-speed broke the rules: {rec}")
        if rec.get(key) is None:
            raise RuntimeError(f"sign-speed reported no {key} (no /proc?): {rec}")
        return rec[key], rec

    return parse


def parse_openssl_speed(_out: str, err: str) -> tuple[float, object]:
    # Machine-readable output (-mr) on stderr: "+R1:<count>:2048:<seconds>" is the sign run.
    for line in err.splitlines():
        if line.startswith("+R1:"):
            _, count, bits, secs = line.split(":")
            count, secs = int(count), float(secs)
            return count / secs, {"signs": count, "bits": int(bits), "seconds": secs, "line": line}
    raise RuntimeError(f"no +R1 line in openssl speed output:\n{err[-2000:]}")


def measure_t1(ctx: Context) -> dict:
    """sign-speed vs `openssl speed rsa2048`, both on one pinned core, same clock."""
    secs = str(ctx.args.seconds)
    cpu = ctx.args.cpu
    ours = ctx.bench_binary("sign-speed")
    openssl = ["openssl", "speed", "-mr", "-seconds", secs, "rsa2048"]
    if ctx.args.clock == "cpu":
        # openssl's default divisor is the user CPU time of the sign loop; sign-speed's
        # signs_per_cpu_sec divides by the CPU time (user + system) its thread ran.
        key, unit = "signs_per_cpu_sec", "signs/CPU-s"
    else:
        # -elapsed: openssl divides by wall-clock time, like sign-speed's signs_per_sec.
        openssl.insert(2, "-elapsed")
        key, unit = "signs_per_sec", "signs/s"
    if ctx.args.openssl_ia32cap:
        openssl = ["env", f"OPENSSL_ia32cap={ctx.args.openssl_ia32cap}", *openssl]
    a = Side("oci-tower sign-speed", ctx.pin([str(ours), "--seconds", secs, "--users", "1000"], cpu),
             unit, parse_sign_speed_with(key))
    b = Side("openssl speed rsa2048", ctx.pin(openssl, cpu), unit, parse_openssl_speed)
    res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = (f"both sides pinned to CPU {cpu} (taskset -c {cpu}), one thread, {secs} s per sample, "
                   f"rate per {'CPU second' if ctx.args.clock == 'cpu' else 'wall-clock second'}; "
                   "sign-speed builds and signs GET get_user requests through RequestSigner for 1,000 distinct "
                   "user OCIDs with a fresh RSA-2048 key ("
                   f"{signer_backend(ctx)}), openssl signs a fixed digest (libcrypto)")
    return res


def signer_backend(ctx: Context) -> str:
    """Which RSA backend the bench binaries sign with, from `--features` (oci-core's precedence)."""
    features = {f.strip() for f in ctx.args.features.replace(",", " ").split()}
    if "aws-lc-signer" in features:
        return "aws-lc-rs, --features aws-lc-signer"
    if "rsa-signer" in features:
        return "rsa crate, --features rsa-signer"
    return "ring"


def available_openssl(ctx: Context) -> Optional[str]:
    return None if shutil.which("openssl") else "openssl is not installed"


# --------------------------------------------------------------------------------------------
# Shared pieces of the client/server measures: the emulator, seeded users, the Python SDK
# --------------------------------------------------------------------------------------------

PY_DIR = Path(__file__).resolve().parent
VENV_ENV = "OCI_BENCH_VENV"  # an existing venv with `oci` installed, reused instead of .bench-venv
DEFAULT_VENV = ROOT / ".bench-venv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds_of(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/PID/stat, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_sdk(ctx: Context) -> list[str]:
    """argv prefix running the venv's python with the bytecode cache on.

    $OCI_BENCH_VENV names an existing venv with `oci` installed; otherwise the runner creates
    .bench-venv at the repository root once (`python3 -m venv`, `pip install oci`).
    """
    if "python" not in ctx.built:
        venv = Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)
        py = venv / "bin" / "python"
        if not py.exists():
            log(f"creating {venv} and installing the official OCI Python SDK (pip install oci) ...")
            run_checked([sys.executable, "-m", "venv", str(venv)])
            run_checked([str(py), "-m", "pip", "install", "--quiet", "oci"])
        version = run_checked([str(py), "-c", "import oci; print(oci.__version__)"]).strip()
        ctx.built["python"] = ["env", "-u", "PYTHONDONTWRITEBYTECODE", str(py)]
        ctx.built["oci_version"] = version
        log(f"Python SDK: oci {version} in {venv}")
    return list(ctx.built["python"])


def oci_cli(ctx: Context) -> list[str]:
    """argv prefix running the OCI CLI from the SDK's venv (`pip install oci-cli` there when missing)."""
    if "oci_cli" not in ctx.built:
        py = Path(python_sdk(ctx)[-1])
        cli = py.parent / "oci"
        if not cli.exists():
            log(f"installing the OCI CLI into {py.parent.parent} (pip install oci-cli) ...")
            run_checked([str(py), "-m", "pip", "install", "--quiet", "oci-cli"])
            # oci-cli pins the SDK version it needs: record the one now installed.
            ctx.built["oci_version"] = run_checked([str(py), "-c", "import oci; print(oci.__version__)"]).strip()
        ctx.built["oci_cli"] = ["env", "-u", "PYTHONDONTWRITEBYTECODE", "SUPPRESS_LABEL_WARNING=True",
                                "OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING=True", str(cli)]
        ctx.built["oci_cli_version"] = run_checked([*ctx.built["oci_cli"], "--version"]).strip()
        log(f"OCI CLI {ctx.built['oci_cli_version']}, oci {ctx.built['oci_version']}")
    return list(ctx.built["oci_cli"])


def emulator_binary(ctx: Context) -> Path:
    if "oci-emulator" not in ctx.built:
        log("building oci-emulator (release) ...")
        run_checked(["cargo", "build", "--release", "--locked", "-p", "oci-emulator"])
        ctx.built["oci-emulator"] = True
    return target_dir() / "release" / "oci-emulator"


@dataclass
class Emu:
    """A running emulator: its endpoint, config file, /_emulator/info, process, seeded users."""

    endpoint: str
    config: Path
    info: dict
    proc: subprocess.Popen
    users: Optional[Path] = None


@contextlib.contextmanager
def emulator(ctx: Context, cpus: str, seed_users: int = 0, extra: tuple[str, ...] = ()) -> Iterator[Emu]:
    """The release emulator pinned to `cpus`, with `seed_users` users created through the API.

    `extra` are more emulator options (e.g. `--token-lifetime-secs 4`)."""
    import urllib.request

    binary = emulator_binary(ctx)
    bench = ctx.bench_binary("identity-load")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="oci-bench-emu-") as tmp:
        cfg_dir = Path(tmp) / "emu"
        argv = [str(binary), "--listen", f"127.0.0.1:{port}", "--config-dir", str(cfg_dir), *extra]
        with ctx.server(argv, port, cpus=cpus) as proc:
            endpoint = f"http://127.0.0.1:{port}"
            # It listens before it writes DIR/config and then DIR/endpoint: wait for the last.
            deadline = time.monotonic() + 30
            while not (cfg_dir / "endpoint").exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the emulator wrote no {cfg_dir / 'endpoint'} in 30 s")
                time.sleep(0.02)
            with urllib.request.urlopen(f"{endpoint}/_emulator/info", timeout=10) as r:
                info = json.loads(r.read())
            emu = Emu(endpoint, cfg_dir / "config", info, proc)
            if seed_users:
                emu.users = Path(tmp) / "users.txt"
                log(f"seeding {seed_users} users through IdentityClient::create_user ...")
                run_checked([str(bench), "seed", "--config", str(emu.config), "--endpoint", endpoint,
                             "--tenancy", info["tenancy"], "--count", str(seed_users), "--out", str(emu.users)])
            yield emu


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


def get_user_side(ctx: Context, emu: Emu, name: str, cpus: str, in_flight: int, threads: int) -> Side:
    argv = [str(ctx.bench_binary("identity-load")), "get-user", "--config", str(emu.config),
            "--endpoint", emu.endpoint, "--users", str(emu.users), "--seconds", str(ctx.args.seconds),
            "--in-flight", str(in_flight), "--threads", str(threads)]
    return Side(name, ctx.pin(argv, cpus), "req/s", parse_load())


def python_side(ctx: Context, emu: Emu, name: str, cpus: str, threads: int) -> Side:
    argv = [*python_sdk(ctx), str(PY_DIR / "py_get_user.py"), "--config", str(emu.config),
            "--endpoint", emu.endpoint, "--users", str(emu.users), "--seconds", str(ctx.args.seconds),
            "--threads", str(threads)]
    return Side(name, ctx.pin(argv, cpus), "req/s", parse_load())


def available_emulator(ctx: Context) -> Optional[str]:
    packages = workspace_packages()
    for p in ("oci-emulator", "oci-identity"):
        if p not in packages:
            return f"the {p} crate is not in this workspace"
    return None


def available_python(ctx: Context) -> Optional[str]:
    return available_emulator(ctx)


# --------------------------------------------------------------------------------------------
# T3, T4: signed get_user, oci-tower vs the official Python SDK, same emulator
# --------------------------------------------------------------------------------------------


def measure_t3(ctx: Context) -> dict:
    with emulator(ctx, "1", seed_users=1000) as emu:
        a = get_user_side(ctx, emu, "oci-tower get_user, 1 in flight", "0", 1, 1)
        b = python_side(ctx, emu, "Python SDK get_user, 1 thread", "0", 1)
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = (f"client pinned to CPU 0, release emulator pinned to CPU 1, {ctx.args.seconds} s per "
                   "sample after 0.5 s warm-up, 1,000 users seeded through create_user and rotated; both "
                   "clients with their defaults (retries, circuit breaker), both check each answer is the "
                   "user asked for; signatures counted == calls made on both sides; "
                   f"oci {ctx.built.get('oci_version')}")
    return res


def measure_t4a(ctx: Context) -> dict:
    with emulator(ctx, "0,1", seed_users=1000) as emu:
        a = get_user_side(ctx, emu, "oci-tower get_user, 8 in flight, 2 workers", "0,1", 8, 2)
        b = python_side(ctx, emu, "Python SDK get_user, 8 threads", "0,1", 8)
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = ("both cores for everything: client (either side) and the emulator all on CPUs 0-1 "
                   "(the client needs both cores, so the emulator shares them; it spends ~1/10 of what "
                   "the client spends per request); 1,000 users rotating; "
                   f"oci {ctx.built.get('oci_version')}")
    return res


def measure_t4b(ctx: Context) -> dict:
    with emulator(ctx, "0,1", seed_users=1000) as emu:
        a = get_user_side(ctx, emu, "oci-tower 8 in flight on 2 cores (2 workers)", "0,1", 8, 2)
        b = get_user_side(ctx, emu, "oci-tower 8 in flight on 1 core (1 worker)", "0", 8, 1)
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = ("the same client binary, 8 in flight, on CPUs 0-1 with 2 runtime workers vs pinned to "
                   "CPU 0 with 1; the emulator on CPUs 0-1 in both (so on 2 cores the client shares them "
                   "with it, on 1 core it mostly has CPU 0 to itself: this understates scaling slightly)")
    return res


# --------------------------------------------------------------------------------------------
# T5: the full stack with a no-op signer vs a bare hyper-util client
# --------------------------------------------------------------------------------------------


def measure_t5(ctx: Context, in_flight: int) -> dict:
    bench = ctx.bench_binary("plain-http")
    port = free_port()
    with ctx.server([str(bench), "serve", "--listen", f"127.0.0.1:{port}"], port, cpus="1"):
        common = ["--endpoint", f"http://127.0.0.1:{port}", "--seconds", str(ctx.args.seconds),
                  "--in-flight", str(in_flight)]
        a = Side(f"oci-tower stack + NoSigning, {in_flight} in flight",
                 ctx.pin([str(bench), "stack", *common, *ctx.args.stack_flags.split()], "0"), "req/s",
                 parse_load())
        b = Side(f"bare hyper-util client, {in_flight} in flight",
                 ctx.pin([str(bench), "bare", *common], "0"), "req/s", parse_load())
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = (f"{in_flight} in flight on one current-thread runtime pinned to CPU 0; a trivial hyper "
                   "server (plain-http serve, fixed ~600-byte JSON body) pinned to CPU 1; GET "
                   "/20160918/users/{ocid} over 1,000 OCIDs, each body read to its end; A is Client::call "
                   "through the whole default stack with NoSigning and the GetUser operation info")
    return res


# --------------------------------------------------------------------------------------------
# T6: cold start to the first signed response
# --------------------------------------------------------------------------------------------


def parse_wall_ms(out: str, _err: str, wall_s: float) -> tuple[float, object]:
    return wall_s * 1000.0, {"stdout": out.strip(), "wall_ms": wall_s * 1000.0}


def measure_t6(ctx: Context) -> dict:
    with emulator(ctx, "1") as emu:
        user = emu.info["user"]
        a_argv = ctx.pin([str(ctx.bench_binary("first-call")), "--config", str(emu.config),
                          "--endpoint", emu.endpoint, "--user", user], "0")
        b_argv = ctx.pin([*python_sdk(ctx), str(PY_DIR / "py_first_call.py"), str(emu.config),
                          emu.endpoint, user], "0")
        log("  one untimed run of each (page cache, bytecode cache)")
        run_checked(a_argv)
        run_checked(b_argv)
        a = Side("oci-tower first-call", a_argv, "ms", parse_wall_ms, probe=time.monotonic)
        b = Side("Python SDK first call", b_argv, "ms", parse_wall_ms, probe=time.monotonic)
        res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = ("wall-clock time from process spawn to exit after the first signed get_user answered "
                   "200 (config file read, key loaded, client built, one request), client pinned to CPU 0, "
                   "emulator to CPU 1; one untimed run of each first; Python with the bytecode cache on")
    return res


# --------------------------------------------------------------------------------------------
# T7: emulator verified req/s vs the Python SDK's generated req/s, one core each
# --------------------------------------------------------------------------------------------


def measure_t7(ctx: Context) -> dict:
    with emulator(ctx, "1", seed_users=1000) as emu:
        pid = emu.proc.pid

        def emulator_rate(out: str, err: str, emu_cpu: float) -> tuple[float, object]:
            _, rec = parse_load()(out, err)
            if emu_cpu <= 0:
                raise RuntimeError("the emulator used no CPU time")
            rec["emulator_cpu_seconds"] = emu_cpu
            rec["verified_per_emulator_cpu_sec"] = rec["calls"] / emu_cpu
            return rec["verified_per_emulator_cpu_sec"], rec

        def python_rate(out: str, err: str) -> tuple[float, object]:
            _, rec = parse_load()(out, err)
            rec["signed_per_cpu_sec"] = rec["requests"] / rec["cpu_seconds"]
            return rec["signed_per_cpu_sec"], rec

        replay = [str(ctx.bench_binary("identity-load")), "replay", "--config", str(emu.config),
                  "--endpoint", emu.endpoint, "--users", str(emu.users), "--seconds", str(ctx.args.seconds),
                  "--in-flight", "16"]
        a = Side("emulator: verified get_user per emulator CPU-second", ctx.pin(replay, "0"), "req/CPU-s",
                 emulator_rate, probe=lambda: cpu_seconds_of(pid))
        py = python_side(ctx, emu, "Python SDK: signed get_user per Python CPU-second", "0", 1)
        b = Side(py.name, py.argv, "req/CPU-s", python_rate)
        res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = ("A: the release emulator pinned to CPU 1 answers get_user requests replayed by "
                   "`identity-load replay` (1,000 requests signed up front, one per user, replayed "
                   "round-robin, 16 in flight, from CPU 0); every one is verified in full (RSA signature, "
                   "date, headers) and answered 200; figure = requests answered / emulator CPU seconds in "
                   "the sample. B: the official Python SDK, one thread pinned to CPU 0, calling get_user "
                   "on the same emulator; figure = requests / Python process CPU seconds in the window, "
                   "i.e. how many signed requests one core of Python SDK generates per second. The ratio "
                   "is how many Python SDK cores one emulator core can serve.")
    return res


# --------------------------------------------------------------------------------------------
# T8: 1 GiB put and get through client and emulator
# --------------------------------------------------------------------------------------------


def parse_object_load(out: str, err: str) -> tuple[float, object]:
    rec = json.loads(out.strip().splitlines()[-1])
    for line in err.splitlines():
        if "Maximum resident set size" in line:
            rec["max_rss_kib"] = int(line.rsplit(":", 1)[1])
    if "max_rss_kib" not in rec:
        raise RuntimeError(f"no maximum resident set size from /usr/bin/time -v:\n{err[-1000:]}")
    return rec["mib_per_sec"], rec


def t8(ctx: Context) -> dict:
    if "t8" in ctx.built:
        return ctx.built["t8"]
    bench = ctx.bench_binary("object-load")
    with emulator(ctx, "1") as emu:
        common = ["--config", str(emu.config), "--endpoint", emu.endpoint,
                  "--namespace", emu.info["namespace"], "--bucket", "oci-bench"]
        run_checked([str(bench), "bucket", *common, "--compartment", emu.info["tenancy"]])
        sized = [*common, "--mib", str(ctx.args.mib)]
        a = Side("oci-tower put_object + get_object, streamed",
                 ["/usr/bin/time", "-v", *ctx.pin([str(bench), "oci", *sized], "0")], "MiB/s", parse_object_load)
        b = Side("bare hyper-util PUT + GET, streamed",
                 ["/usr/bin/time", "-v", *ctx.pin([str(bench), "bare", *sized], "0")], "MiB/s", parse_object_load)
        res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = (f"{ctx.args.mib} MiB put then got back, client pinned to CPU 0, release emulator (blobs "
                   "in a temporary directory) pinned to CPU 1; the upload is one 1 MiB buffer streamed "
                   f"{ctx.args.mib} times with its length known, the download read as a stream to its end; "
                   "figure = 2 × size / (put seconds + get seconds); peak RSS from /usr/bin/time -v")
    ctx.built["t8"] = res
    return res


def measure_t8a(ctx: Context) -> dict:
    res = t8(ctx)
    rss = [p["a"]["max_rss_kib"] / 1024 for p in res["raw"]]
    bare = [p["b"]["max_rss_kib"] / 1024 for p in res["raw"]]
    return {"kind": "value", "a": {"name": "oci-tower client peak RSS", "unit": "MiB"},
            "value": summary(rss), "unit": "MiB", "bare_hyper_rss_mib": summary(bare),
            "raw": [{"pair": p["pair"], "oci_max_rss_kib": p["a"]["max_rss_kib"],
                     "bare_max_rss_kib": p["b"]["max_rss_kib"]} for p in res["raw"]],
            "note": res["note"] + "; the same runs as T8b (raw samples there)"}


def measure_t8b(ctx: Context) -> dict:
    return t8(ctx)


# --------------------------------------------------------------------------------------------
# T10: a 1 GiB file up and down with the transfer manager vs the Python SDK's UploadManager
# T11: 10,000 small files up, 16 in flight, upload_dir vs `oci os object bulk-upload`
# --------------------------------------------------------------------------------------------


def write_random_file(path: Path, size: int) -> None:
    """`size` bytes from os.urandom, written 1 MiB at a time (untimed set-up)."""
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n


def parse_transfer(out: str, err: str) -> tuple[float, object]:
    """`transfer-bench file` / py_transfer.py under /usr/bin/time -v: MiB/s, checked, with peak RSS."""
    value, rec = parse_object_load(out, err)
    if rec.get("verified") is not True:
        raise RuntimeError(f"the download was not verified against the file: {rec}")
    return value, rec


def bucket_for(ctx: Context, emu: Emu, bucket: str) -> list[str]:
    """Creates `bucket` (with `object-load bucket`); the options every object command takes."""
    common = ["--config", str(emu.config), "--endpoint", emu.endpoint, "--namespace", emu.info["namespace"],
              "--bucket", bucket]
    run_checked([str(ctx.bench_binary("object-load")), "bucket", *common, "--compartment", emu.info["tenancy"]])
    return common


def t10(ctx: Context) -> dict:
    if "t10" in ctx.built:
        return ctx.built["t10"]
    mib, part = ctx.args.mib, ctx.args.part_mib
    with emulator(ctx, "1") as emu, tempfile.TemporaryDirectory(prefix="oci-bench-t10-") as tmp:
        common = bucket_for(ctx, emu, "oci-bench-t10")
        src = Path(tmp) / "source.bin"
        log(f"  writing a {mib} MiB file of random bytes (untimed)")
        write_random_file(src, mib << 20)
        files = ["--file", str(src), "--part-mib", str(part), "--parallelism", "3"]
        a = Side("oci-tower TransferManager upload + download_to_file", [
            "/usr/bin/time", "-v", *ctx.pin([str(ctx.bench_binary("transfer-bench")), "file", *common, *files,
                                             "--object", "t10-oci-tower", "--out", str(Path(tmp) / "a.out")], "0")],
            "MiB/s", parse_transfer)
        b = Side("Python SDK UploadManager.upload_file + get_object streamed", [
            "/usr/bin/time", "-v", *ctx.pin([*python_sdk(ctx), str(PY_DIR / "py_transfer.py"), *common, *files,
                                             "--object", "t10-python-sdk", "--out", str(Path(tmp) / "b.out")], "0")],
            "MiB/s", parse_transfer)
        res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = (f"one {mib} MiB file of random bytes uploaded then downloaded to a file by each side, parts of "
                   f"{part} MiB (multipart when the file is larger), 3 parts in flight (both libraries' default); "
                   "A downloads with ranged GETs (16 MiB, 3 in flight, the manager's defaults) written at their "
                   "offsets, B with one get_object streamed to the file in 1 MiB chunks (the SDK has no download "
                   "manager); both compare the download with the file byte for byte after timing; client pinned "
                   "to CPU 0 (A on a current-thread runtime), release emulator (blobs in a temporary directory) on "
                   "CPU 1; figure = 2 x size / (upload + download seconds, timed inside each process); peak RSS "
                   f"of each process from /usr/bin/time -v; oci {ctx.built.get('oci_version')}")
    ctx.built["t10"] = res
    return res


def measure_t10a(ctx: Context) -> dict:
    return t10(ctx)


def measure_t10b(ctx: Context) -> dict:
    """T10's peak RSS, A over B per pair, from the same runs as T10a."""
    res = t10(ctx)
    a = [p["a"]["max_rss_kib"] / 1024 for p in res["raw"]]
    b = [p["b"]["max_rss_kib"] / 1024 for p in res["raw"]]
    return {"kind": "ratio", "a": {"name": "oci-tower peak RSS", "unit": "MiB", **summary(a)},
            "b": {"name": "Python SDK peak RSS", "unit": "MiB", **summary(b)},
            "value": summary([x / y for x, y in zip(a, b)]), "unit": "×",
            "raw": [{"pair": p["pair"], "a_max_rss_kib": p["a"]["max_rss_kib"],
                     "b_max_rss_kib": p["b"]["max_rss_kib"]} for p in res["raw"]],
            "note": res["note"] + "; the same runs as T10a (raw samples there)"}


def parse_upload_dir(count: int) -> Callable[[str, str, float], tuple[float, object]]:
    """objects/s over the process's wall time; checks `transfer-bench dir` uploaded all `count`."""

    def parse(out: str, _err: str, wall_s: float) -> tuple[float, object]:
        rec = json.loads(out.strip().splitlines()[-1])
        if rec["uploaded"] != count:
            raise RuntimeError(f"uploaded {rec['uploaded']} of {count} files: {rec}")
        rec["wall_seconds"] = wall_s
        return count / wall_s, rec

    return parse


def parse_bulk_upload(count: int) -> Callable[[str, str, float], tuple[float, object]]:
    """objects/s over the CLI's wall time; checks its JSON summary lists all `count` and no failure."""

    def parse(out: str, _err: str, wall_s: float) -> tuple[float, object]:
        start = out.find("{")
        if start < 0:
            raise RuntimeError(f"no JSON summary from bulk-upload:\n{out[-2000:]}")
        summ = json.loads(out[start:])
        uploaded, failed = len(summ.get("uploaded-objects", {})), summ.get("upload-failures", {})
        if uploaded != count or failed or summ.get("skipped-objects"):
            raise RuntimeError(f"bulk-upload uploaded {uploaded} of {count}, failures {str(failed)[:1000]}")
        return count / wall_s, {"uploaded": uploaded, "wall_seconds": wall_s}

    return parse


def measure_t11(ctx: Context) -> dict:
    count = ctx.args.objects
    with emulator(ctx, "1") as emu, tempfile.TemporaryDirectory(prefix="oci-bench-t11-") as tmp:
        common = bucket_for(ctx, emu, "oci-bench-t11")
        src = Path(tmp) / "files"
        src.mkdir()
        log(f"  writing {count:,} files of 4 KiB (untimed)")
        for i in range(count):
            (src / f"f{i:05}.bin").write_bytes(os.urandom(4096))
        a = Side("oci-tower TransferManager::upload_dir, 16 files in flight",
                 ctx.pin([str(ctx.bench_binary("transfer-bench")), "dir", *common, "--dir", str(src),
                          "--prefix", "t11-oci-tower/", "--files-in-flight", "16"], "0"),
                 "objects/s", parse_upload_dir(count), probe=time.monotonic)
        b = Side("oci os object bulk-upload --parallel-upload-count 16",
                 ctx.pin([*oci_cli(ctx), "--config-file", str(emu.config), "--endpoint", emu.endpoint,
                          "os", "object", "bulk-upload", "--namespace", emu.info["namespace"],
                          "--bucket-name", "oci-bench-t11", "--src-dir", str(src), "--prefix", "t11-oci-cli/",
                          "--parallel-upload-count", "16", "--overwrite"], "0"),
                 "objects/s", parse_bulk_upload(count), probe=time.monotonic)
        res = side_by_side(ctx, a, b, ctx.args.reps)
    res["note"] = (f"{count:,} files of 4 KiB (random bytes) in one directory uploaded as objects, 16 at a time, "
                   "overwriting without looking first (A: upload_dir with IfExists::Overwrite, one PutObject "
                   "with Content-MD5 per file; B: bulk-upload --overwrite), each side under its own prefix in "
                   "the same bucket; client pinned to CPU 0, release emulator on CPU 1; figure = objects / wall "
                   "seconds from spawning the process to its exit (the CLI's start-up included, as its users "
                   f"see it); both check every file was uploaded; oci-cli {ctx.built.get('oci_cli_version')}, "
                   f"oci {ctx.built.get('oci_version')}")
    return res


# --------------------------------------------------------------------------------------------
# T9: cold `cargo build -p oci-identity` in a fresh target dir
# --------------------------------------------------------------------------------------------


def workspace_packages() -> list[str]:
    out = run_checked(["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"])
    return [p["name"] for p in json.loads(out)["packages"]]


T9_PACKAGE = "oci-identity"


def available_identity(ctx: Context) -> Optional[str]:
    if T9_PACKAGE not in workspace_packages():
        return f"the {T9_PACKAGE} crate is not in this workspace yet"
    return None


def measure_t9(ctx: Context) -> dict:
    log("cargo fetch (untimed, so the build does not download)")
    run_checked(["cargo", "fetch", "--locked"])
    env = dict(os.environ)
    env.pop("RUSTC_WRAPPER", None)  # no sccache: a cold build compiles everything
    env.pop("CARGO_BUILD_RUSTC_WRAPPER", None)

    def once() -> tuple[float, object]:
        with tempfile.TemporaryDirectory(prefix="oci-bench-t9-") as tmp:
            env["CARGO_TARGET_DIR"] = tmp
            argv = ["cargo", "build", "--locked", "--offline", "-p", T9_PACKAGE]
            import resource
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.monotonic()
            run_checked(argv, env=env)
            secs = time.monotonic() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = os.getloadavg()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        # CPU time of the build (rustc, build scripts, cc) / cores: the wall time it would take on
        # an otherwise idle machine if both cores were busy throughout (a lower bound).
        return secs, {"seconds": secs, "argv": argv, "loadavg_after": load, "cpu_seconds": cpu,
                      "cpu_seconds_per_core": cpu / (os.cpu_count() or 1)}

    res = repeated_value(f"cold `cargo build -p {T9_PACKAGE}`", "s", ctx.args.build_reps, once)
    res["note"] = ("fresh CARGO_TARGET_DIR per run, dependencies already fetched, no RUSTC_WRAPPER, "
                   f"{os.cpu_count()} cores shared with other work (load average in raw)")
    return res


# --------------------------------------------------------------------------------------------
# T12: latency of signed calls while a token principal's token is refreshed
# --------------------------------------------------------------------------------------------


def parse_token_load(out: str, _err: str) -> tuple[float, object]:
    rec = json.loads(out.strip().splitlines()[-1])
    if rec["signs"] != rec["calls"]:
        raise RuntimeError(f"signatures {rec['signs']} != calls {rec['calls']}: {rec}")
    log(f"    p50 during/outside {rec['during_refresh']['p50_us']:,.0f}/{rec['outside_refresh']['p50_us']:,.0f} us, "
        f"p99 {rec['during_refresh']['p99_us']:,.0f}/{rec['outside_refresh']['p99_us']:,.0f} us, "
        f"{rec['refreshes_in_window']} refreshes of {', '.join(f'{x:.0f}' for x in rec['refresh_ms'])} ms, "
        f"{rec['during_refresh']['calls']} calls during / {rec['outside_refresh']['calls']} outside")
    return rec["p99_ratio"], rec


def measure_t12(ctx: Context) -> dict:
    bench = ctx.bench_binary("token-load")
    lifetime = str(ctx.args.token_lifetime)
    with emulator(ctx, "1", seed_users=1000, extra=("--token-lifetime-secs", lifetime)) as emu:
        argv = ctx.pin([str(bench), "--endpoint", emu.endpoint, "--users", str(emu.users),
                        "--seconds", str(ctx.args.t12_seconds), "--in-flight", "1", "--threads", "1"], "0")
        res = repeated_value("p99 during a refresh / p99 outside", "×", ctx.args.reps,
                             lambda: parse_token_load(*run_both(argv)))
    for key in ("p50_ratio",):
        res[key] = summary([r[key] for r in res["raw"]])
    for side in ("during_refresh", "outside_refresh"):
        res[side] = {k: summary([r[side][k] for r in res["raw"]]) for k in ("p50_us", "p99_us", "max_us", "calls")}
    res["refresh_ms"] = summary([x for r in res["raw"] for x in r["refresh_ms"]])
    res["argv"] = argv
    res["note"] = (f"instance principal (IMDS + signed /v1/x509 + a fresh RSA-2048 session key per refresh) "
                   f"against the release emulator with --token-lifetime-secs {lifetime} (refresh due at half "
                   f"the lifetime), GET get_user 1 in flight over 1,000 users, client pinned to CPU 0, "
                   f"emulator to CPU 1, {ctx.args.t12_seconds} s per run; a call is 'during a refresh' when "
                   "it overlaps a background token fetch")
    return res


# --------------------------------------------------------------------------------------------
# Before/after: the same bench binary built from another commit (e.g. before a change), same run
# --------------------------------------------------------------------------------------------


def baseline_binary(ctx: Context, name: str) -> Path:
    """oci-bench built at --baseline-rev (its tree exported with `git archive` under the target
    dir, so the repository's worktrees are left alone), release, in a target dir of its own."""
    rev = ctx.args.baseline_rev
    if not rev:
        raise RuntimeError("--baseline-rev is required")
    sha = run_checked(["git", "rev-parse", "--short", rev]).strip()
    tree = target_dir() / f"baseline-{sha}"
    if "baseline" not in ctx.built:
        if not tree.exists():
            tree.mkdir(parents=True)
            archive = subprocess.run(["git", "archive", sha], cwd=ROOT, check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        argv = ["cargo", "build", "--release", "--locked", "-p", "oci-bench"]
        if ctx.args.baseline_features:
            argv += ["--features", ctx.args.baseline_features]
        log(f"building oci-bench at {sha} (release{', features ' + ctx.args.baseline_features if ctx.args.baseline_features else ''}) ...")
        env = {**os.environ, "CARGO_TARGET_DIR": str(target_dir() / f"baseline-{sha}-target")}
        run_checked(argv, cwd=tree, env=env)
        ctx.built["baseline"] = sha
    return target_dir() / f"baseline-{sha}-target" / "release" / name


def available_baseline(ctx: Context) -> Optional[str]:
    return None if ctx.args.baseline_rev else "needs --baseline-rev REV"


def measure_t3_before(ctx: Context) -> dict:
    with emulator(ctx, "1", seed_users=1000) as emu:
        a = get_user_side(ctx, emu, "oci-tower get_user now, 1 in flight", "0", 1, 1)
        b = get_user_side(ctx, emu, f"oci-tower get_user at {ctx.args.baseline_rev}, 1 in flight", "0", 1, 1)
        old = str(baseline_binary(ctx, "identity-load"))
        b.argv = [old if x == str(ctx.bench_binary("identity-load")) else x for x in b.argv]
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = (f"T3's client now vs built at {ctx.args.baseline_rev} (features "
                   f"'{ctx.args.baseline_features}'), same emulator, client on CPU 0, emulator on CPU 1")
    return res


def measure_t5a_before(ctx: Context) -> dict:
    bench = ctx.bench_binary("plain-http")
    old = baseline_binary(ctx, "plain-http")
    port = free_port()
    with ctx.server([str(bench), "serve", "--listen", f"127.0.0.1:{port}"], port, cpus="1"):
        common = ["--endpoint", f"http://127.0.0.1:{port}", "--seconds", str(ctx.args.seconds), "--in-flight", "1"]
        a = Side("oci-tower stack + NoSigning now", ctx.pin([str(bench), "stack", *common], "0"), "req/s",
                 parse_load())
        b = Side(f"oci-tower stack + NoSigning at {ctx.args.baseline_rev}",
                 ctx.pin([str(old), "stack", *common], "0"), "req/s", parse_load())
        res = add_cpu_ratio(side_by_side(ctx, a, b, ctx.args.reps))
    res["note"] = (f"T5a's stack side now vs built at {ctx.args.baseline_rev}, same plain-http server on CPU 1, "
                   "client on CPU 0")
    return res


# --------------------------------------------------------------------------------------------
# The table. Pending measures say what they wait for; implement `run` to activate one.
# --------------------------------------------------------------------------------------------

EMU_OPTS = ("reps", "seconds", "pin")

MEASURES: list[Measure] = [
    Measure("T1", "signer signs/s vs openssl speed rsa2048", Goal(">=", 0.90, "×"),
            a="oci-tower RequestSigner (sign-speed)", b="openssl speed rsa2048",
            run=measure_t1, available=available_openssl,
            options=("reps", "seconds", "clock", "openssl_ia32cap", "pin", "cpu")),
    # T3: `identity-load get-user` 1 in flight vs the official Python SDK's IdentityClient.get_user
    # (service_endpoint=http://127.0.0.1:PORT, bytecode cache on), same emulator, client on CPU 0,
    # emulator on CPU 1, 1,000 seeded users rotating; signatures computed == calls made.
    Measure("T3", "get_user, 1 in flight, vs Python SDK", Goal(">=", 2.2, "×"),
            a="oci-tower get_user req/s", b="official Python SDK get_user req/s",
            run=measure_t3, available=available_python, options=EMU_OPTS),
    # T4a: 8 in flight on 2 cores vs Python with 8 threads; T4b: the same client on 2 cores / on 1 core.
    Measure("T4a", "get_user, 8 in flight vs Python 8 threads", Goal(">=", 5.0, "×"),
            a="oci-tower get_user req/s, 8 in flight", b="Python SDK req/s, 8 threads",
            run=measure_t4a, available=available_python, options=EMU_OPTS),
    Measure("T4b", "8 in flight: 2 cores vs 1 core", Goal(">=", 1.8, "×"),
            a="oci-tower req/s on 2 cores", b="oci-tower req/s on 1 core",
            run=measure_t4b, available=available_emulator, options=EMU_OPTS),
    # T5: the full Client stack with NoSigning vs a bare hyper-util client, same trivial server.
    Measure("T5a", "stack, no-op signer vs bare hyper, 1 in flight", Goal(">=", 0.95, "×"),
            a="oci-tower stack req/s", b="bare hyper-util req/s",
            run=lambda ctx: measure_t5(ctx, 1), options=(*EMU_OPTS, "stack_flags")),
    Measure("T5b", "stack, no-op signer vs bare hyper, 8 in flight", Goal(">=", 0.90, "×"),
            a="oci-tower stack req/s", b="bare hyper-util req/s",
            run=lambda ctx: measure_t5(ctx, 8), options=(*EMU_OPTS, "stack_flags")),
    # T6: process start to first signed response, `first-call` vs `python py_first_call.py`.
    Measure("T6", "cold start to first response vs Python SDK", Goal("<=", 0.10, "×"),
            a="oci-tower ms", b="Python SDK ms", run=measure_t6, available=available_python,
            options=("reps", "pin")),
    # T7: emulator verifying signatures (server side) vs the SDK generating them, one core each.
    Measure("T7", "emulator verify req/s vs SDK sign req/s", Goal(">=", 10.0, "×"),
            a="emulator verified req per CPU-s", b="Python SDK signed req per CPU-s",
            run=measure_t7, available=available_python, options=EMU_OPTS),
    # T8a/b: put and get of --mib MiB through client and emulator; peak RSS from /usr/bin/time -v.
    Measure("T8a", "1 GiB put+get: peak client RSS", Goal("<=", 64, "MiB"),
            a="client peak RSS", b=None, run=measure_t8a, available=available_emulator,
            options=("reps", "mib", "pin")),
    Measure("T8b", "1 GiB put+get throughput vs bare hyper", Goal(">=", 0.80, "×"),
            a="oci-tower MiB/s", b="bare hyper MiB/s", run=measure_t8b, available=available_emulator,
            options=("reps", "mib", "pin")),
    Measure("T9", "cold cargo build -p oci-identity", Goal("<=", 90, "s"),
            a="build time", b=None, run=measure_t9, available=available_identity, options=("build_reps",)),
    # T10a/b: --mib MiB file up (parts of --part-mib, 3 in flight) and down to a file, transfer manager
    # vs the Python SDK's UploadManager + streamed get_object; throughput and peak RSS, same runs.
    Measure("T10a", "1 GiB file up+down: transfer manager vs Python SDK", Goal(">=", 3.0, "×"),
            a="oci-tower TransferManager MiB/s", b="Python SDK UploadManager + get_object MiB/s",
            run=measure_t10a, available=available_python, options=("reps", "mib", "part_mib", "pin")),
    Measure("T10b", "1 GiB file up+down: peak RSS vs Python SDK", Goal("<=", 0.25, "×"),
            a="oci-tower peak RSS", b="Python SDK peak RSS",
            run=measure_t10b, available=available_python, options=("reps", "mib", "part_mib", "pin")),
    # T11: --objects files of 4 KiB, 16 in flight: upload_dir vs the OCI CLI's bulk-upload.
    Measure("T11", "10,000 small objects up, 16 in flight, vs OCI CLI", Goal(">=", 5.0, "×"),
            a="oci-tower upload_dir objects/s", b="oci os object bulk-upload objects/s",
            run=measure_t11, available=available_python, options=("reps", "objects", "pin")),
    # T12: instance principal with a short token lifetime; p99 of calls overlapping a background
    # refresh over p99 of the others, in the same run (issue 11).
    Measure("T12", "p99 during a token refresh vs outside one", Goal("<=", 1.1, "×"),
            a="p99 of calls during a refresh / p99 outside", b=None, run=measure_t12,
            available=available_emulator, options=("reps", "t12_seconds", "token_lifetime", "pin")),
    # Before/after a change (issue 11: async credentials): the same side built at --baseline-rev.
    Measure("T3ba", "T3 client now vs at --baseline-rev", Goal(">=", 0.95, "×"),
            a="get_user req/s now", b="get_user req/s at the baseline", run=measure_t3_before,
            available=lambda ctx: available_emulator(ctx) or available_baseline(ctx), options=(*EMU_OPTS, "baseline_rev", "baseline_features")),
    Measure("T5aba", "T5a stack now vs at --baseline-rev", Goal(">=", 0.95, "×"),
            a="stack req/s now", b="stack req/s at the baseline", run=measure_t5a_before,
            available=available_baseline,
            options=(*EMU_OPTS, "baseline_rev", "baseline_features")),
]


# --------------------------------------------------------------------------------------------
# Machine description, output
# --------------------------------------------------------------------------------------------


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


def run_measures(selected: list[str], args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict:
    ctx = Context(args)
    started = _dt.datetime.now(_dt.timezone.utc)
    out: dict = {"schema": 1, "started": started.isoformat(timespec="seconds"), "machine": machine(),
                 "options": {k: str(v) if isinstance(v, Path) else v
                             for k, v in vars(args).items() if k not in ("measures", "list")},
                 "measures": {}}
    for m in MEASURES:
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


def expand_id(name: str, ids: list[str]) -> list[str]:
    """A measure id as given: itself when it is one, else its lettered parts (`T10` is T10a and
    T10b, `T8` is T8a and T8b), else itself (then reported as unknown)."""
    if name in ids:
        return [name]
    parts = [i for i in ids if i.startswith(name) and len(i) == len(name) + 1 and i[-1].islower()]
    return parts or [name]


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("measures", nargs="*", help="measure ids (default: every implemented one)")
    ap.add_argument("--reps", type=int, default=MIN_REPS, help=f"A/B pairs per ratio (>= {MIN_REPS})")
    ap.add_argument("--seconds", type=int, default=3, help="duration of each timed sample (whole seconds)")
    ap.add_argument("--stack-flags", default="",
                    help="T5: extra plain-http stack options, e.g. '--tracing false' (a variant, not the figure)")
    ap.add_argument("--mib", type=int, default=1024, help="T8, T10: object (file) size in MiB")
    ap.add_argument("--part-mib", type=int, default=128,
                    help="T10: part size in MiB for both sides (128: both libraries' default for files)")
    ap.add_argument("--objects", type=int, default=10_000, help="T11: how many 4 KiB files")
    ap.add_argument("--build-reps", type=int, default=1, help="cold builds for T9")
    ap.add_argument("--cpu", default="0", help="CPU list for single-core sides (taskset -c)")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="T1: divide by CPU time (openssl's default) or by wall-clock time")
    ap.add_argument("--openssl-ia32cap", default="",
                    help="T1: OPENSSL_ia32cap for openssl, e.g. ':~0x200000' turns off AVX-512 IFMA")
    ap.add_argument("--features", default="",
                    help="cargo features for the crates/bench build, e.g. 'aws-lc-signer' (a variant: "
                         "recorded in the results' options and in each measure's command)")
    ap.add_argument("--token-lifetime", type=int, default=12,
                    help="T12: the emulator's --token-lifetime-secs (refresh due at half of it)")
    ap.add_argument("--t12-seconds", type=int, default=12, help="T12: timed seconds per run")
    ap.add_argument("--baseline-rev", default="",
                    help="T3ba/T5aba: git revision to build the baseline bench binaries at")
    ap.add_argument("--baseline-features", default="",
                    help="T3ba/T5aba: cargo features for the baseline build, e.g. 'aws-lc-signer'")
    ap.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin with taskset")
    ap.add_argument("--out", type=Path, help="results file (default bench-results/<time>-<ids>.json)")
    ap.add_argument("--list", action="store_true", help="list the measures and exit")
    args = ap.parse_args(argv)

    known = {m.id for m in MEASURES}
    if args.list:
        for m in MEASURES:
            status = "implemented" if m.run else f"pending: {m.pending}"
            print(f"{m.id:4} goal {m.goal.text():>9}  {m.title}  [{status}]")
        return 0
    selected = [x for name in args.measures for x in expand_id(name, [m.id for m in MEASURES])]
    unknown = [x for x in selected if x not in known]
    if unknown:
        ap.error(f"unknown measure(s) {unknown}; known: {sorted(known)}")
    if args.reps < MIN_REPS:
        ap.error(f"--reps must be at least {MIN_REPS}")
    selected = selected or [m.id for m in MEASURES if m.run]

    results = run_measures(selected, args, ap)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = args.out or RESULTS_DIR / f"{stamp}-{'-'.join(selected)}.json"
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print_summary(results)
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    failed = [k for k, e in results["measures"].items() if e["status"] == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
