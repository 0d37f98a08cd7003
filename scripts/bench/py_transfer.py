"""The official OCI Python SDK side of T10: a file up with UploadManager, then down to a file.

    python py_transfer.py --config DIR/config --endpoint http://127.0.0.1:PORT --namespace NS \
        --bucket B --object NAME --file PATH --out PATH [--part-mib 128] [--parallelism 3]

Upload: `oci.object_storage.UploadManager(client, parallel_process_count=N).upload_file(...,
part_size=...)`, the SDK's own multipart upload (parts of --part-mib MiB, N in flight, each part
with its MD5). Download: the SDK has no download manager, so this is what its users write:
`get_object` with the body streamed to the file in 1 MiB chunks (`response.data.raw.stream`).
After the timed part the downloaded file is compared with the source byte for byte.

Prints one JSON object with the same fields as `transfer-bench file`: bytes, seconds of each
step, MiB/s of each and `mib_per_sec` = 2 x size / (upload + download seconds).
"""

import argparse
import json
import os
import sys
import time

import oci

MIB = 1024 * 1024


def same_content(a: str, b: str) -> bool:
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(MIB), fb.read(MIB)
            if x != y:
                return False
            if not x:
                return True


def main() -> int:
    ap = argparse.ArgumentParser()
    for name in ("config", "endpoint", "namespace", "bucket", "object", "file", "out"):
        ap.add_argument(f"--{name}", required=True)
    ap.add_argument("--part-mib", type=int, default=128)
    ap.add_argument("--parallelism", type=int, default=3)
    a = ap.parse_args()

    config = oci.config.from_file(a.config)
    client = oci.object_storage.ObjectStorageClient(config, service_endpoint=a.endpoint)
    manager = oci.object_storage.UploadManager(client, allow_parallel_uploads=True,
                                               parallel_process_count=a.parallelism)
    size = os.path.getsize(a.file)

    t = time.monotonic()
    manager.upload_file(a.namespace, a.bucket, a.object, a.file, part_size=a.part_mib * MIB)
    up = time.monotonic() - t

    t = time.monotonic()
    resp = client.get_object(a.namespace, a.bucket, a.object)
    with open(a.out, "wb") as f:
        for chunk in resp.data.raw.stream(MIB, decode_content=False):
            f.write(chunk)
    down = time.monotonic() - t

    if not same_content(a.file, a.out):
        print(f"{a.out} differs from {a.file}", file=sys.stderr)
        return 1
    mib = size / MIB
    print(json.dumps({
        "bench": "py_transfer",
        "bytes": size,
        "part_size": a.part_mib * MIB,
        "parts": -(-size // (a.part_mib * MIB)) if size > a.part_mib * MIB else 1,
        "parallelism": a.parallelism,
        "upload_seconds": up,
        "download_seconds": down,
        "upload_mib_per_sec": mib / up,
        "download_mib_per_sec": mib / down,
        "mib_per_sec": 2 * mib / (up + down),
        "verified": True,
        "oci_version": oci.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
