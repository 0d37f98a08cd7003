"""T3, T4a, T4b, T6, T7: signed get_user against the emulator, oci-tower vs the official Python SDK
(throughput at 1 and 8 in flight, scaling over cores, cold start, the emulator's verify rate)."""

from __future__ import annotations

import time

from .core import Context, Side, add_cpu_ratio, log, parse_load, run_checked, side_by_side
from .servers import PY_DIR, Emu, cpu_seconds_of, emulator, python_sdk


# --------------------------------------------------------------------------------------------
# The two get_user sides: identity-load and py_get_user.py
# --------------------------------------------------------------------------------------------


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
