#!/usr/bin/env python3
"""Dev-only: capture what the official OCI Python SDK puts on the wire, as test fixtures.

    /work/venv-oci/bin/python scripts/capture_wire_fixtures.py

For each call in CALLS below, the SDK's client is run for real up to the HTTP transport:
`requests.adapters.HTTPAdapter.send` is replaced by a function that records the prepared (signed)
request and answers `200 {}` without any network. Each fixture keeps the method, the path, the raw
query string (order matters: it is signed), the headers that matter and the body (JSON, or text for
binary uploads). Nothing random leaks in: the calls use `NoneRetryStrategy`, so no
`opc-retry-token` / `opc-client-retries` is added (tokens are the retry-token layer's business).

Headers that do not matter for the request a `Request` builds are dropped: signing and transport
headers (authorization, date, host, x-content-sha256, user-agent, connection, accept-encoding,
opc-client-info), content-length of JSON bodies (the transport sets it), and the SDK's auto-added
`opc-request-id` unless the call passed one.

The Rust wire tests (crates/<service>/tests/wire.rs) build the same calls with the generated
builders and compare against crates/<service>/tests/fixtures/wire.json.
"""

import datetime
import json
import os
import sys
from urllib.parse import urlsplit

from oci._vendor import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import oci
from oci.identity import models as im
from oci.object_storage import models as om

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DROP = {"authorization", "date", "host", "x-content-sha256", "user-agent", "connection",
        "accept-encoding", "opc-client-info", "opc-client-retries"}

T = "ocid1.tenancy.oc1..aaaatenancy"
U = "ocid1.user.oc1..aaaauser"
G = "ocid1.group.oc1..aaaagroup"
C = "ocid1.compartment.oc1..aaaacomp"
NS = "mynamespace"
TAGS = {"Operations": {"CostCenter": "42"}}
FREE = {"team": "ops"}

# (service, operation, kwargs). Fixture names are "<operation>" or "<operation>#<n>".
CALLS = [
    # --- Identity: GET with path params, query of every kind ---
    ("identity", "get_user", dict(user_id=U)),
    ("identity", "get_user", dict(user_id="ocid1.user oc1/weird name é")),
    ("identity", "get_group", dict(group_id=G)),
    ("identity", "get_compartment", dict(compartment_id=C)),
    ("identity", "get_tenancy", dict(tenancy_id=T)),
    ("identity", "get_policy", dict(policy_id="ocid1.policy.oc1..p")),
    ("identity", "get_tag", dict(tag_namespace_id="ocid1.tagnamespace.oc1..n", tag_name="Cost Center")),
    ("identity", "get_work_request", dict(work_request_id="ocid1.workrequest.oc1..w")),
    ("identity", "list_users", dict(compartment_id=T)),
    ("identity", "list_users", dict(compartment_id=T, page="PAGE+token/=", limit=50,
                                    identity_provider_id="ocid1.idp.oc1..i", external_identifier="ext id",
                                    name="alice & bob", sort_by="TIMECREATED", sort_order="DESC",
                                    lifecycle_state="ACTIVE")),
    ("identity", "list_groups", dict(compartment_id=T, limit=10, sort_by="NAME", sort_order="ASC")),
    ("identity", "list_compartments", dict(compartment_id=T, compartment_id_in_subtree=True,
                                           access_level="ACCESSIBLE", limit=5, lifecycle_state="ACTIVE")),
    ("identity", "list_compartments", dict(compartment_id=T, compartment_id_in_subtree=False)),
    ("identity", "list_user_group_memberships", dict(compartment_id=T, user_id=U, group_id=G)),
    ("identity", "list_policies", dict(compartment_id=C, page="p2")),
    ("identity", "list_regions", dict()),
    ("identity", "list_region_subscriptions", dict(tenancy_id=T)),
    ("identity", "list_availability_domains", dict(compartment_id=T)),
    ("identity", "list_api_keys", dict(user_id=U)),
    ("identity", "list_tags", dict(tag_namespace_id="ocid1.tagnamespace.oc1..n", lifecycle_state="ACTIVE")),
    ("identity", "list_tag_namespaces", dict(compartment_id=C, include_subcompartments=True)),
    ("identity", "list_identity_providers", dict(protocol="SAML2", compartment_id=T)),
    ("identity", "assemble_effective_tag_set", dict(compartment_id=C, lifecycle_state="ACTIVE")),
    ("identity", "get_authentication_policy", dict(compartment_id=T)),
    # --- Identity: POST / PUT with JSON bodies ---
    ("identity", "create_group", dict(create_group_details=im.CreateGroupDetails(
        compartment_id=T, name="my-test-group", description="Created with the Python SDK",
        freeform_tags=FREE, defined_tags=TAGS))),
    ("identity", "create_user", dict(create_user_details=im.CreateUserDetails(
        compartment_id=T, name="my-test-user", description="d", email="a@example.com"),
        opc_retry_token="client-token-1")),
    ("identity", "create_compartment", dict(create_compartment_details=im.CreateCompartmentDetails(
        compartment_id=T, name="c", description="d"))),
    ("identity", "add_user_to_group", dict(add_user_to_group_details=im.AddUserToGroupDetails(
        user_id=U, group_id=G))),
    ("identity", "create_policy", dict(create_policy_details=im.CreatePolicyDetails(
        compartment_id=T, name="p", description="d",
        statements=["Allow group Admins to manage all-resources in tenancy"],
        version_date=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)))),
    ("identity", "create_identity_provider", dict(
        create_identity_provider_details=im.CreateSaml2IdentityProviderDetails(
            compartment_id=T, name="idp", description="d", product_type="IDCS",
            metadata_url="https://idp.example.com/md", metadata="<xml/>",
            freeform_attributes={"a": "b"}))),
    ("identity", "create_tag", dict(tag_namespace_id="ocid1.tagnamespace.oc1..n",
                                    create_tag_details=im.CreateTagDetails(
                                        name="env", description="d", is_cost_tracking=True,
                                        validator=im.EnumTagDefinitionValidator(values=["a", "b"])),
                                    is_lock_override=True)),
    ("identity", "create_tag_default", dict(create_tag_default_details=im.CreateTagDefaultDetails(
        compartment_id=C, tag_definition_id="ocid1.tagdefinition.oc1..t", value="v", is_required=False),
        opc_request_id="my-request-id")),
    ("identity", "update_user", dict(user_id=U, update_user_details=im.UpdateUserDetails(
        description="new", email="b@example.com"), if_match="etag-1")),
    ("identity", "update_group", dict(group_id=G, update_group_details=im.UpdateGroupDetails(
        description="new", freeform_tags={}))),
    ("identity", "update_user_state", dict(user_id=U, update_state_details=im.UpdateStateDetails(
        blocked=False))),
    ("identity", "upload_api_key", dict(user_id=U, create_api_key_details=im.CreateApiKeyDetails(
        key="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"))),
    ("identity", "move_compartment", dict(compartment_id=C, move_compartment_details=im.MoveCompartmentDetails(
        target_compartment_id=T), if_match="e")),
    ("identity", "bulk_delete_tags", dict(bulk_delete_tags_details=im.BulkDeleteTagsDetails(
        tag_definition_ids=["a", "b"]), is_lock_override=False)),
    ("identity", "bulk_edit_tags", dict()),
    ("identity", "create_mfa_totp_device", dict(user_id=U)),
    ("identity", "activate_domain", dict(domain_id="ocid1.domain.oc1..d", if_match="e",
                                         opc_request_id="rid")),
    ("identity", "remove_tag_default_lock", dict(tag_default_id="ocid1.tagdefault.oc1..t",
                                                 remove_lock_details=im.RemoveLockDetails(type="FULL"),
                                                 if_match="e")),
    # --- Identity: DELETE ---
    ("identity", "delete_user", dict(user_id=U)),
    ("identity", "delete_group", dict(group_id=G, if_match="etag-2")),
    ("identity", "delete_api_key", dict(user_id=U, fingerprint="20:3b:97:13:55:1c")),
    ("identity", "delete_tag_namespace", dict(tag_namespace_id="ocid1.tagnamespace.oc1..n",
                                              is_lock_override=True, opc_request_id="r2")),
    ("identity", "remove_user_from_group", dict(user_group_membership_id="ocid1.groupmembership.oc1..m")),
    # --- Object Storage ---
    ("objectstorage", "get_namespace", dict()),
    ("objectstorage", "get_namespace", dict(compartment_id=T, opc_client_request_id="cid")),
    ("objectstorage", "create_bucket", dict(namespace_name=NS, create_bucket_details=om.CreateBucketDetails(
        name="MyTestBucket", compartment_id=C, public_access_type="NoPublicAccess",
        storage_tier="Standard", metadata={"k": "v"}, versioning="Enabled"))),
    ("objectstorage", "get_bucket", dict(namespace_name=NS, bucket_name="MyTestBucket",
                                         fields=["approximateCount", "approximateSize"],
                                         if_none_match="etag-x")),
    ("objectstorage", "head_bucket", dict(namespace_name=NS, bucket_name="b", if_match="e")),
    ("objectstorage", "list_buckets", dict(namespace_name=NS, compartment_id=C, limit=2, page="pg",
                                           fields=["tags"])),
    ("objectstorage", "update_bucket", dict(namespace_name=NS, bucket_name="b",
                                            update_bucket_details=om.UpdateBucketDetails(
                                                public_access_type="ObjectRead"), if_match="e")),
    ("objectstorage", "delete_bucket", dict(namespace_name=NS, bucket_name="b")),
    ("objectstorage", "put_object", dict(namespace_name=NS, bucket_name="b", object_name="dir/a b.txt",
                                         put_object_body=b"Hello, World!", content_md5="ZXRhZw==",
                                         content_type="text/plain", opc_meta={"k1": "v1"},
                                         if_none_match="*")),
    ("objectstorage", "put_object", dict(namespace_name=NS, bucket_name="b", object_name="a/../b",
                                         put_object_body=b"x", content_length=1, storage_tier="InfrequentAccess")),
    ("objectstorage", "get_object", dict(namespace_name=NS, bucket_name="b", object_name="dir/a b.txt",
                                         range="bytes=0-4", version_id="v1",
                                         http_response_content_type="text/plain")),
    ("objectstorage", "head_object", dict(namespace_name=NS, bucket_name="b", object_name="a+b?c#d")),
    ("objectstorage", "list_objects", dict(namespace_name=NS, bucket_name="b", prefix="dir/", start="dir/a",
                                           limit=100, delimiter="/", fields="name,size,etag")),
    ("objectstorage", "delete_object", dict(namespace_name=NS, bucket_name="b", object_name="é.txt",
                                            version_id="v2")),
    ("objectstorage", "create_multipart_upload", dict(
        namespace_name=NS, bucket_name="b",
        create_multipart_upload_details=om.CreateMultipartUploadDetails(
            object="big.bin", content_type="application/octet-stream", metadata={"opc-meta-a": "1"}))),
    ("objectstorage", "upload_part", dict(namespace_name=NS, bucket_name="b", object_name="big.bin",
                                          upload_id="up-1", upload_part_num=3, upload_part_body=b"part-bytes",
                                          content_md5="bWQ1")),
    ("objectstorage", "commit_multipart_upload", dict(
        namespace_name=NS, bucket_name="b", object_name="big.bin", upload_id="up-1",
        commit_multipart_upload_details=om.CommitMultipartUploadDetails(
            parts_to_commit=[om.CommitMultipartUploadPartDetails(part_num=1, etag="e1"),
                             om.CommitMultipartUploadPartDetails(part_num=2, etag="e2")],
            parts_to_exclude=[3]))),
    ("objectstorage", "abort_multipart_upload", dict(namespace_name=NS, bucket_name="b",
                                                     object_name="big.bin", upload_id="up-1")),
    ("objectstorage", "list_multipart_uploads", dict(namespace_name=NS, bucket_name="b", limit=10, page="p")),
    ("objectstorage", "list_multipart_upload_parts", dict(namespace_name=NS, bucket_name="b",
                                                          object_name="big.bin", upload_id="up-1", limit=1000)),
    # --- Delegate Access Control ---
    ("delegateaccesscontrol", "get_work_request", dict(work_request_id="ocid1.dacworkrequest.oc1..w")),
    ("delegateaccesscontrol", "list_work_requests", dict(compartment_id=C, status="IN_PROGRESS", limit=3,
                                                         sort_order="ASC", sort_by="timeAccepted")),
    ("delegateaccesscontrol", "list_work_request_errors", dict(work_request_id="w", page="p",
                                                               sort_by="timestamp")),
    ("delegateaccesscontrol", "list_work_request_logs", dict(work_request_id="w", limit=1, sort_order="DESC")),
]

CLIENTS = {
    "identity": (oci.identity.IdentityClient, "https://identity.us-ashburn-1.oci.oraclecloud.com"),
    "objectstorage": (oci.object_storage.ObjectStorageClient,
                      "https://objectstorage.us-ashburn-1.oraclecloud.com"),
    "delegateaccesscontrol": (oci.delegate_access_control.WorkRequestClient,
                              "https://delegate-access-control.us-ashburn-1.oci.oraclecloud.com"),
}

captured = []


def fake_send(self, request, **kwargs):
    captured.append(request)
    resp = requests.Response()
    resp.status_code = 200
    resp._content = b"{}"
    resp.headers["content-type"] = "application/json"
    resp.headers["opc-request-id"] = "FAKE"
    resp.request = request
    resp.url = request.url
    return resp


def to_jsonable(v):
    if hasattr(v, "swagger_types"):
        return oci.util.to_dict(v)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    return v


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    config = {"user": U, "tenancy": T, "fingerprint": "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
              "key_content": pem, "region": "us-ashburn-1"}
    requests.adapters.HTTPAdapter.send = fake_send
    clients = {svc: cls(config, service_endpoint=ep, retry_strategy=oci.retry.NoneRetryStrategy())
               for svc, (cls, ep) in CLIENTS.items()}
    fixtures = {svc: [] for svc in CLIENTS}
    counts = {}
    for svc, op, kwargs in CALLS:
        captured.clear()
        try:
            getattr(clients[svc], op)(**kwargs)
        except Exception as e:  # the fake answer may not deserialize; only the request matters
            if not captured:
                raise RuntimeError(f"{op}: no request captured: {e!r}")
        req = captured[-1]
        url = urlsplit(req.url)
        headers = {}
        for k, v in req.headers.items():
            k = k.lower()
            if k in DROP:
                continue
            if k == "opc-request-id" and "opc_request_id" not in kwargs:
                continue
            if k == "content-length" and op not in ("put_object", "upload_part"):
                continue
            headers[k] = v if isinstance(v, str) else v.decode()
        body = req.body
        if isinstance(body, bytes):
            body = body.decode()
        if not body:
            body = None
        if body is not None and op not in ("put_object", "upload_part"):
            try:
                body = {"json": json.loads(body)}
            except ValueError:
                raise RuntimeError(f"{op}: body is not JSON: {body!r}")
        elif body is not None:
            body = {"text": body}
        n = counts.get((svc, op), 0)
        counts[(svc, op)] = n + 1
        fixtures[svc].append({
            "name": op if n == 0 else f"{op}#{n}",
            "args": {k: to_jsonable(v) for k, v in kwargs.items()},
            "method": req.method,
            "path": url.path,
            "query": url.query,
            "headers": dict(sorted(headers.items())),
            "body": body,
        })
    for svc, items in fixtures.items():
        d = os.path.join(ROOT, "crates", svc, "tests", "fixtures")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "wire.json"), "w") as f:
            json.dump({"sdk": f"oci {oci.__version__}", "endpoint": CLIENTS[svc][1], "fixtures": items},
                      f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"{svc}: {len(items)} fixtures", file=sys.stderr)


if __name__ == "__main__":
    main()
