"""T12: latency of signed calls while a token principal's token is refreshed."""

from __future__ import annotations

import json

from .core import Context, log, repeated_value, run_both, summary
from .servers import emulator


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
