"""T9: cold `cargo build -p oci-identity` in a fresh target dir."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Optional

from .core import Context, log, repeated_value, run_checked, workspace_packages


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
