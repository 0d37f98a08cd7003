"""Before/after (T3ba, T5aba): the same bench binary built from another commit (e.g. before a
change), measured in the same run as the current one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

from .core import ROOT, Context, Side, add_cpu_ratio, log, parse_load, run_checked, side_by_side, target_dir
from .identity import get_user_side
from .servers import emulator, free_port


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
