"""The official OCI Python SDK side of T3, T4 and T7: signed IdentityClient.get_user in a loop.

    python py_get_user.py --config DIR/config --endpoint http://127.0.0.1:PORT --users users.txt \
        [--seconds 3] [--warmup 0.5] [--threads 1]

Each thread has its own IdentityClient (the SDK's advice for threads) with the SDK's defaults
(its retry and circuit-breaker strategies included), pointed at the server with
`service_endpoint`. Threads take the next user OCID from a shared counter (at least 1,000 users,
rotating), call get_user and check the answer is the user asked for. Signatures are counted by
wrapping the SDK signer's `do_request_sign`; over the whole run they must equal the calls made.
Prints one JSON object like the Rust binaries: requests in the timed window, seconds,
req_per_sec, and the process CPU seconds spent in the window (time.process_time()).
"""

import argparse
import itertools
import json
import sys
import threading
import time

import oci


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()

    users = [line.strip() for line in open(a.users) if line.strip()]
    if len(users) < 1000:
        print(f"{a.users}: only {len(users)} users; at least 1,000 are needed", file=sys.stderr)
        return 1

    signs = itertools.count()
    original = oci.signer.AbstractBaseSigner.do_request_sign

    def counting(self, request, *args, **kwargs):
        next(signs)
        return original(self, request, *args, **kwargs)

    oci.signer.AbstractBaseSigner.do_request_sign = counting

    config = oci.config.from_file(a.config)
    clients = [oci.identity.IdentityClient(config, service_endpoint=a.endpoint) for _ in range(a.threads)]
    ticket = itertools.count()  # next() on itertools.count is atomic under the GIL
    lock = threading.Lock()
    state = {"window": 0, "calls": 0, "error": None}
    start = time.monotonic()
    warm_end = start + a.warmup
    end = warm_end + a.seconds

    def worker(client):
        window = calls = 0
        try:
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                uid = users[next(ticket) % len(users)]
                got = client.get_user(uid).data.id
                if got != uid:
                    raise RuntimeError(f"asked for {uid}, got {got}")
                calls += 1
                done = time.monotonic()
                if warm_end <= done < end:
                    window += 1
        except Exception as e:  # reported, and the run gives no figure
            state["error"] = repr(e)
        with lock:
            state["window"] += window
            state["calls"] += calls

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    time.sleep(max(0.0, warm_end - time.monotonic()))
    cpu0, t0 = time.process_time(), time.monotonic()
    time.sleep(max(0.0, end - time.monotonic()))
    cpu, secs = time.process_time() - cpu0, time.monotonic() - t0
    for t in threads:
        t.join()
    if state["error"]:
        print(f"py_get_user: {state['error']}", file=sys.stderr)
        return 1
    n_signs = next(signs)
    if n_signs != state["calls"]:
        print(f"py_get_user: signatures {n_signs} != calls {state['calls']}", file=sys.stderr)
        return 1
    print(json.dumps({
        "bench": "python-sdk get_user",
        "requests": state["window"],
        "seconds": secs,
        "req_per_sec": state["window"] / secs,
        "cpu_seconds": cpu,
        "signs": n_signs,
        "calls": state["calls"],
        "threads": a.threads,
        "users": len(users),
        "oci_version": oci.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
