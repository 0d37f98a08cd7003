#!/usr/bin/env python3
"""Generate OCI request-signing test vectors with the official OCI Python SDK (dev-only).

The Rust conformance test ``crates/core/tests/signing_conformance.rs`` replays every vector through
``oci_core::auth::RequestSigner`` and asserts that the ``authorization``, ``x-content-sha256``,
``content-length`` and ``content-type`` headers are byte-equal to what the Python SDK produced.
RSA PKCS#1 v1.5 signatures are deterministic, so an equal ``authorization`` header proves the
signing strings are identical.

How to run (from the repository root):

    # with the shared oracle environment
    /work/venv-oci/bin/python scripts/gen_signing_vectors.py

    # or in a fresh virtualenv
    python3 -m venv .venv && .venv/bin/pip install oci==2.189.0
    .venv/bin/python scripts/gen_signing_vectors.py

It reads the test-only key ``crates/core/tests/fixtures/signing/key.pem`` (an RSA-2048 key made for
these tests; not a secret) and rewrites ``crates/core/tests/fixtures/signing/vectors.json``. The
output is deterministic: fixed dates, a seeded RNG, and deterministic signatures.

How each vector is made: a ``requests`` ``Request`` (the copy vendored in the SDK, which is what
the SDK sends with) is prepared with ``auth=oci.signer.Signer(...)``, or with
``signer.without_content_headers`` for exclude-body operations, exactly as
``oci.base_client.BaseClient.request`` does. A fixed ``date`` header is given so the signature is
reproducible. The vector records the URL as prepared (the exact bytes of the request-target on the
wire), the headers given, the body, and the headers the SDK produced.

Vector JSON fields:
  name, category, method, url (as sent), headers (given by the caller, before signing),
  body (string or null), body_encoding ("utf8" or "base64"), exclude_body, date,
  expected: {authorization, x_content_sha256, content_length, content_type, signed_headers}
  (null when the SDK sent no such header).

Two deliberate differences from the Python SDK are NOT signing differences, and the Rust test
checks them as such (they only concern unsigned headers):
  * the SDK defaults ``content-type: application/json`` on every request, even GET/DELETE and
    exclude-body uploads where it is not signed; the Rust signer only adds it where it is signed;
  * ``requests`` sends ``Content-Length: 0`` on a DELETE without body; the Rust signer leaves
    bodyless verbs alone.
Python ``str`` bodies with non-ASCII characters are never used: ``requests`` 2.27 counts their
``Content-Length`` in characters, not bytes (the SDK itself only sends ASCII JSON, ``json.dumps``
escapes non-ASCII); unicode bodies are given as UTF-8 bytes instead.
"""

import base64
import email.utils
import hashlib
import json
import os
import random
import string
import sys
import urllib.parse

from oci._vendor import requests
from oci.signer import Signer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "crates", "core", "tests", "fixtures", "signing")
KEY_FILE = os.path.join(FIXTURES, "key.pem")
OUT_FILE = os.path.join(FIXTURES, "vectors.json")

TENANCY = "ocid1.tenancy.oc1..aaaaaaaatestvectortenancy"
USER = "ocid1.user.oc1..aaaaaaaatestvectoruser"
FINGERPRINT = "3a:7c:55:0e:91:b2:4d:18:c6:2f:a0:9e:77:13:5b:d4"

IDENTITY = "https://identity.us-ashburn-1.oci.oraclecloud.com"
OBJECTSTORAGE = "https://objectstorage.us-phoenix-1.oraclecloud.com"
DATE = "Sat, 21 Nov 2026 14:16:13 GMT"


def make_signer():
    with open(KEY_FILE, "rb") as f:
        pem = f.read().decode("ascii")
    return Signer(TENANCY, USER, FINGERPRINT, None, private_key_content=pem)


def header(prepared, name):
    """The header value the SDK sent, or None (prepared.headers is case-insensitive)."""
    value = prepared.headers.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value)


def signed_headers(authorization):
    start = authorization.index('headers="') + len('headers="')
    return authorization[start:authorization.index('"', start)]


def sign(signer, name, category, method, url, headers=None, body=None, exclude_body=False,
         date=DATE):
    headers = dict(headers or {})
    given = dict(headers)
    headers["date"] = date
    auth = signer.without_content_headers if exclude_body else signer
    prepared = requests.Request(method, url, headers=headers, data=body, auth=auth).prepare()

    if body is None:
        body_out, encoding = None, "utf8"
    elif isinstance(body, str):
        assert body.isascii(), "non-ASCII str bodies get a wrong Content-Length from requests"
        body_out, encoding = body, "utf8"
    else:
        try:
            body_out, encoding = bytes(body).decode("utf-8"), "utf8"
        except UnicodeDecodeError:
            body_out, encoding = base64.b64encode(bytes(body)).decode("ascii"), "base64"

    authorization = header(prepared, "authorization")
    return {
        "name": name,
        "category": category,
        "method": method,
        "url": prepared.url,
        "headers": given,
        "body": body_out,
        "body_encoding": encoding,
        "exclude_body": exclude_body,
        "date": header(prepared, "date"),
        "expected": {
            "authorization": authorization,
            "x_content_sha256": header(prepared, "x-content-sha256"),
            "content_length": header(prepared, "content-length"),
            "content_type": header(prepared, "content-type"),
            "signed_headers": signed_headers(authorization),
        },
    }


def fixed_vectors(signer):
    v = []
    add = lambda *a, **k: v.append(sign(signer, *a, **k))  # noqa: E731

    # Every verb, simple.
    for m in ["GET", "HEAD", "DELETE"]:
        add(f"{m.lower()}-simple", "verb", m, IDENTITY + "/20160918/users/ocid1.user.oc1..aaaa")
    add("get-list-query", "verb", "GET",
        IDENTITY + "/20160918/users/?compartmentId=ocid1.tenancy.oc1..aaaa&limit=10")
    add("get-root-path", "verb", "GET", IDENTITY + "/")
    add("post-json", "verb", "POST", IDENTITY + "/20160918/groups",
        body='{"compartmentId":"ocid1.tenancy.oc1..aaaa","name":"ops","description":"Ops team"}')
    add("put-json", "verb", "PUT", IDENTITY + "/20160918/groups/ocid1.group.oc1..bbbb",
        body='{"description":"new"}')
    add("patch-json", "verb", "PATCH", IDENTITY + "/20160918/things/x",
        body='[{"op":"replace","path":"/a","value":1}]')

    # Empty bodies on body verbs (hash of "" and content-length: 0 are signed).
    for m in ["POST", "PUT", "PATCH"]:
        add(f"{m.lower()}-empty-body", "empty-body", m,
            IDENTITY + "/20160918/users/ocid1.user.oc1..aaaa/actions/x")
    add("post-empty-bytes", "empty-body", "POST", IDENTITY + "/20160918/a", body=b"")

    # Unicode JSON: raw UTF-8 bytes (what serde_json emits) and \u-escaped (what the SDK emits).
    doc = {"name": "grüße-日本-🚀", "description": "naïve café ∑"}
    add("post-unicode-utf8", "unicode-body", "POST", IDENTITY + "/20160918/groups",
        body=json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    add("put-unicode-escaped", "unicode-body", "PUT", IDENTITY + "/20160918/groups/g",
        body=json.dumps(doc))
    add("patch-binary-body", "binary-body", "PATCH", IDENTITY + "/20160918/x",
        body=bytes(range(256)))

    # Percent-encoded paths and queries, exactly as the SDK builds them.
    q = urllib.parse.quote
    add("path-space-strict", "encoding", "GET",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/" + q("dir/a b.txt", safe=""))
    add("path-unicode", "encoding", "GET",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/" + q("日本/ü ß~*.txt", safe=""))
    add("path-reserved", "encoding", "DELETE",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/" + q("a+b=c&d;e,f@g:h!$'()*~", safe=""))
    add("path-dot-segments", "encoding", "HEAD", OBJECTSTORAGE + "/n/ns/b/bucket/o/%2E%2E")
    add("query-plus-slash-tilde", "encoding", "GET",
        IDENTITY + "/20160918/users/?" + urllib.parse.urlencode(
            [("compartmentId", "ocid1.tenancy.oc1..aaaa"), ("name", "a b/c+d~*"), ("limit", 10)]))
    add("query-unicode-multi", "encoding", "GET",
        IDENTITY + "/20160918/tags?" + urllib.parse.urlencode(
            [("definedTags.ns.k", "v1"), ("definedTags.ns.k", "v2 ü"), ("sortBy", "timeCreated"),
             ("flag", "true"), ("q", "日本語")]))
    add("query-empty-value", "encoding", "GET", IDENTITY + "/20160918/x?a=&b=1")
    add("post-encoded-path-and-query", "encoding", "POST",
        OBJECTSTORAGE + "/n/ns/b/" + q("my bucket", safe="") + "/actions/x?opts=" + q("a/b c", safe=""),
        body='{"k":"v"}')

    # Host with a port.
    add("port-get", "host-port", "GET", "http://127.0.0.1:12345/20160918/users?limit=1")
    add("port-post", "host-port", "POST", "http://127.0.0.1:12345/20160918/groups",
        body='{"name":"x"}')
    add("port-explicit-443", "host-port", "GET",
        "https://identity.us-ashburn-1.oci.oraclecloud.com:443/20160918/regions")

    # Exclude-body operations (put_object, upload_part, put_messages).
    add("exclude-put-object", "exclude-body", "PUT",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/" + q("dir/a b.txt", safe=""),
        headers={"content-type": "application/octet-stream", "opc-meta-k1": "v1"},
        body=b"hello", exclude_body=True)
    add("exclude-put-object-no-type", "exclude-body", "PUT",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/blob", body=b"\x00\x01\x02binary\xff", exclude_body=True)
    add("exclude-upload-part", "exclude-body", "PUT",
        OBJECTSTORAGE + "/n/ns/b/bucket/u/obj?uploadId=abc-123&uploadPartNum=2",
        body=b"x" * 1000, exclude_body=True)
    add("exclude-put-empty", "exclude-body", "PUT",
        OBJECTSTORAGE + "/n/ns/b/bucket/o/empty", body=b"", exclude_body=True)
    add("exclude-post-messages", "exclude-body", "POST",
        "https://cell-1.streaming.us-phoenix-1.oci.oraclecloud.com/20180418/streams/s/messages",
        body='{"messages":[{"key":null,"value":"aGVsbG8="}]}', exclude_body=True)
    add("exclude-get-is-generic", "exclude-body", "GET",
        IDENTITY + "/20160918/users/u", exclude_body=True)

    # Caller-set headers.
    add("caller-content-type", "caller-headers", "POST", IDENTITY + "/20160918/x",
        headers={"content-type": "text/plain; charset=utf-8"}, body="plain text")
    add("caller-content-type-put", "caller-headers", "PUT", OBJECTSTORAGE + "/n/ns/b/b/o/o",
        headers={"Content-Type": "application/octet-stream"}, body=b"\x89PNG\r\n")
    body = b'{"precomputed":true}'
    add("caller-x-content-sha256", "caller-headers", "POST", IDENTITY + "/20160918/x",
        headers={"x-content-sha256": base64.b64encode(hashlib.sha256(body).digest()).decode()},
        body=body)
    add("caller-extra-headers-unsigned", "caller-headers", "GET", IDENTITY + "/20160918/x",
        headers={"opc-request-id": "ABCDEF0123456789", "accept": "application/json",
                 "if-match": "etag-1"})
    return v


def random_vectors(signer, n=16, seed=20261121):
    rng = random.Random(seed)
    hosts = [IDENTITY, OBJECTSTORAGE, "http://127.0.0.1:12345", "http://localhost:8080",
             "https://iaas.eu-frankfurt-1.oraclecloud.com"]
    alphabet = string.ascii_letters + string.digits + " -_.~!*'();:@&=+$,/?#[]%" + "äöü日本🚀"
    v = []
    for i in range(n):
        method = rng.choice(["GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"])
        segments = []
        for _ in range(rng.randint(1, 4)):
            raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            segments.append(urllib.parse.quote(raw, safe=rng.choice(["", "!*'();:@&=+$,"])))
        url = rng.choice(hosts) + "/" + "/".join(segments)
        if rng.random() < 0.7:
            params = [("".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 8))),
                       "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))))
                      for _ in range(rng.randint(1, 4))]
            url += "?" + urllib.parse.urlencode(params)
        headers = {}
        body = None
        exclude = False
        if method in ("POST", "PUT", "PATCH"):
            kind = rng.choice(["json", "bytes", "empty", "utf8"])
            if kind == "json":
                body = json.dumps({"k%d" % j: rng.choice([rng.randint(0, 1 << 40), "s" * rng.randint(0, 5), None, True])
                                   for j in range(rng.randint(0, 5))})
            elif kind == "bytes":
                body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
            elif kind == "utf8":
                body = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))).encode("utf-8")
            if rng.random() < 0.3:
                headers["content-type"] = rng.choice(
                    ["application/octet-stream", "text/csv", "application/json; charset=utf-8"])
            exclude = method == "PUT" and rng.random() < 0.3 and body is not None
        ts = rng.randint(1_500_000_000, 2_000_000_000)
        date = email.utils.formatdate(ts, usegmt=True)
        v.append(sign(signer, f"random-{i:02}", "random", method, url, headers=headers, body=body,
                      exclude_body=exclude, date=date))
    return v


def main():
    signer = make_signer()
    vectors = fixed_vectors(signer) + random_vectors(signer)
    names = [x["name"] for x in vectors]
    assert len(names) == len(set(names)), "vector names must be unique"
    doc = {
        "generator": "scripts/gen_signing_vectors.py",
        "sdk": "oci " + __import__("oci").__version__,
        "tenancy": TENANCY,
        "user": USER,
        "fingerprint": FINGERPRINT,
        "key_file": "key.pem",
        "vectors": vectors,
    }
    with open(OUT_FILE, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(vectors)} vectors to {os.path.relpath(OUT_FILE, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
