"""The official Python SDK against the emulator: UploadManager with CRC32C (multipart and
single part), copy + work request, rename, versions, a PAR, retention rules (409), lifecycle
policies, archive + restore (409 until restored), SSE-C keys (400 missing / 403 wrong). Usage: os_semantics.py CONFIG ENDPOINT"""
import base64, os, sys, tempfile, urllib.request
import crc32c, oci
from oci.object_storage import UploadManager

config = oci.config.from_file(sys.argv[1])
endpoint = sys.argv[2]
os_client = oci.object_storage.ObjectStorageClient(config, service_endpoint=endpoint)
ns = os_client.get_namespace().data
os_client.create_bucket(ns, oci.object_storage.models.CreateBucketDetails(
    name="py", compartment_id=config["tenancy"], versioning="Enabled"))

data = os.urandom(3 * 1024 * 1024 + 7)
want = base64.b64encode(crc32c.crc32c(data).to_bytes(4, "big")).decode()
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(data)
um = UploadManager(os_client, allow_parallel_uploads=True, parallel_process_count=3)
resp = um.upload_file(ns, "py", "big.bin", f.name, part_size=1024 * 1024, opc_checksum_algorithm="CRC32C")
assert resp.headers.get("opc-content-crc32c") == want, resp.headers
head = os_client.head_object(ns, "py", "big.bin")
assert head.headers["opc-content-crc32c"] == want, head.headers
resp = um.upload_file(ns, "py", "small.bin", f.name, part_size=64 * 1024 * 1024, opc_checksum_algorithm="CRC32C")
assert os_client.head_object(ns, "py", "small.bin").headers["opc-content-crc32c"] == want

r = os_client.copy_object(ns, "py", oci.object_storage.models.CopyObjectDetails(
    source_object_name="small.bin", destination_region=config["region"], destination_namespace=ns,
    destination_bucket="py", destination_object_name="copy.bin"))
wr = os_client.get_work_request(r.headers["opc-work-request-id"]).data
assert wr.status == "COMPLETED", wr
assert os_client.get_object(ns, "py", "copy.bin").data.content == data
os_client.rename_object(ns, "py", oci.object_storage.models.RenameObjectDetails(source_name="copy.bin", new_name="renamed.bin"))
assert os_client.get_object(ns, "py", "renamed.bin").data.content == data

v1 = os_client.put_object(ns, "py", "k", b"one").headers["version-id"]
os_client.put_object(ns, "py", "k", b"two")
assert os_client.get_object(ns, "py", "k", version_id=v1).data.content == b"one"
versions = os_client.list_object_versions(ns, "py", prefix="k").data.items
assert [v.version_id for v in versions][-1] == v1 and len(versions) == 2

par = os_client.create_preauthenticated_request(ns, "py", oci.object_storage.models.CreatePreauthenticatedRequestDetails(
    name="p", object_name="k", access_type="ObjectRead", time_expires="2099-01-01T00:00:00Z")).data
assert urllib.request.urlopen(endpoint + par.access_uri).read() == b"two"

M = oci.object_storage.models
def status_of(call):
    try:
        call()
    except oci.exceptions.ServiceError as e:
        return e.status
    return 200

os_client.create_bucket(ns, M.CreateBucketDetails(name="pyrules", compartment_id=config["tenancy"]))
os_client.put_object(ns, "pyrules", "kept", b"kept")
rule = os_client.create_retention_rule(ns, "pyrules", M.CreateRetentionRuleDetails(
    display_name="r", duration=M.Duration(time_amount=1, time_unit="DAYS"))).data
assert [r.id for r in os_client.list_retention_rules(ns, "pyrules").data.items] == [rule.id]
assert status_of(lambda: os_client.delete_object(ns, "pyrules", "kept")) == 409
assert status_of(lambda: os_client.put_object(ns, "pyrules", "kept", b"new")) == 409
os_client.delete_retention_rule(ns, "pyrules", rule.id)
os_client.delete_object(ns, "pyrules", "kept")

os_client.put_object_lifecycle_policy(ns, "pyrules", M.PutObjectLifecyclePolicyDetails(items=[
    M.ObjectLifecycleRule(name="expire", action="DELETE", time_amount=30, time_unit="DAYS", is_enabled=True)]))
assert os_client.get_object_lifecycle_policy(ns, "pyrules").data.items[0].name == "expire"

os_client.put_object(ns, "pyrules", "cold", b"cold", storage_tier="Archive")
assert status_of(lambda: os_client.get_object(ns, "pyrules", "cold")) == 409
os_client.restore_objects(ns, "pyrules", M.RestoreObjectsDetails(object_name="cold", hours=1))
assert os_client.head_object(ns, "pyrules", "cold").headers["archival-state"] == "Restoring"

key = os.urandom(32)
sse = dict(opc_sse_customer_algorithm="AES256", opc_sse_customer_key=base64.b64encode(key).decode(),
           opc_sse_customer_key_sha256=base64.b64encode(__import__("hashlib").sha256(key).digest()).decode())
os_client.put_object(ns, "pyrules", "sealed", b"sealed", **sse)
assert os_client.get_object(ns, "pyrules", "sealed", **sse).data.content == b"sealed"
assert status_of(lambda: os_client.get_object(ns, "pyrules", "sealed")) == 400
other = os.urandom(32)
wrong = dict(sse, opc_sse_customer_key=base64.b64encode(other).decode(),
             opc_sse_customer_key_sha256=base64.b64encode(__import__("hashlib").sha256(other).digest()).decode())
assert status_of(lambda: os_client.get_object(ns, "pyrules", "sealed", **wrong)) == 403
print("python sdk object storage semantics: ok")
