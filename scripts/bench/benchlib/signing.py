"""T1: the signer's signs/s vs `openssl speed rsa2048`, both on one pinned core."""

from __future__ import annotations

import json
import shutil
from typing import Callable, Optional

from .core import Context, Side, side_by_side


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
