"""Object Storage against the emulator.

T8a/T8b: 1 GiB put and get through client and emulator (peak RSS; throughput vs bare hyper).
T10a/T10b: a 1 GiB file up and down with the transfer manager vs the Python SDK's UploadManager.
T11: 10,000 small files up, 16 in flight, upload_dir vs `oci os object bulk-upload`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from .core import Context, Side, log, run_checked, side_by_side, summary
from .servers import PY_DIR, Emu, emulator, oci_cli, python_sdk


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
