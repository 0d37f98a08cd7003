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

Adding a measure: in the module of its family under scripts/bench/benchlib/ (signing.py T1,
identity.py T3/T4/T6/T7, stack.py T5, objects.py T8/T10/T11, build.py T9, tokens.py T12, baseline.py
T3ba/T5aba; a new family gets a new module), write a function `measure_xx(ctx) -> dict` that returns
`side_by_side(...)` (a ratio of two commands) or `repeated_value(...)` (one figure against an absolute
goal), both from benchlib/core.py, and point the measure's `run` at it in MEASURES below.
`ctx.bench_binary(name)` builds crates/bench in release, `ctx.pin(argv, cpus)` pins a command, and
`with ctx.server(argv, port):` runs a server pinned to CPU 1 for the duration of the block (all on
`Context`, core.py); in benchlib/servers.py, `with emulator(ctx, cpus, seed_users=N) as emu:` starts the
release emulator with N users seeded, and `python_sdk(ctx)` gives the official SDK's Python (a venv
created at .bench-venv, or the one named by $OCI_BENCH_VENV). A measure whose `run` is None is reported
as "pending" with its reason; a measure whose `available` check returns a reason is reported as
"not available". Both go into the results file, so the chart and BENCHMARKS.md list them too.
Results are assembled and printed by benchlib/report.py.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path
from typing import Optional

from benchlib.baseline import available_baseline, measure_t3_before, measure_t5a_before
from benchlib.build import available_identity, measure_t9
from benchlib.core import MIN_REPS, RESULTS_DIR, ROOT, Goal, Measure
from benchlib.identity import measure_t3, measure_t4a, measure_t4b, measure_t6, measure_t7
from benchlib.objects import measure_t8a, measure_t8b, measure_t10a, measure_t10b, measure_t11
from benchlib.report import print_summary, run_measures
from benchlib.servers import available_emulator, available_python
from benchlib.signing import available_openssl, measure_t1
from benchlib.stack import measure_t5
from benchlib.tokens import measure_t12


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
# Command line
# --------------------------------------------------------------------------------------------


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

    results = run_measures(MEASURES, selected, args, ap)
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
