"""T5a/T5b: the full Client stack with a no-op signer vs a bare hyper-util client, same trivial server."""

from __future__ import annotations

from .core import Context, Side, add_cpu_ratio, parse_load, side_by_side
from .servers import free_port


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
