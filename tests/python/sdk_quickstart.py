"""The OCI Python SDK quickstart, run against oci-emulator.

usage: python sdk_quickstart.py CONFIG_FILE ENDPOINT

The quickstart steps below are the SDK documentation's, unchanged except that each client gets
`service_endpoint=ENDPOINT` and the config is read from CONFIG_FILE. After them come checks the
quickstart only prints: pagination across pages, the object's bytes, multipart through the SDK's
UploadManager, and a request signed with an unregistered key being rejected.
"""

import io
import sys

import oci

config_file, endpoint = sys.argv[1], sys.argv[2]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


# ---- Quickstart: CRUD operations and pagination ----
config = oci.config.from_file(file_location=config_file)
identity = oci.identity.IdentityClient(config, service_endpoint=endpoint)
compartment_id = config["tenancy"]

from oci.identity.models import CreateGroupDetails
request = CreateGroupDetails()
request.compartment_id = compartment_id
request.name = "my-test-group"
request.description = "Created with the Python SDK"
group = identity.create_group(request)
print(group.data.id)

from oci.identity.models import CreateUserDetails
request = CreateUserDetails()
request.compartment_id = compartment_id
request.name = "my-test-user"
request.description = "Created with the Python SDK"
user = identity.create_user(request)
print(user.data.id)

from oci.identity.models import AddUserToGroupDetails
request = AddUserToGroupDetails()
request.group_id = group.data.id
request.user_id = user.data.id
response = identity.add_user_to_group(request)
print(response.status)
check(response.status == 200, "add_user_to_group answered 200")

first_page = identity.list_users(compartment_id=compartment_id)
print(len(first_page.data), first_page.has_next_page)


def paginate(operation, *args, **kwargs):
    while True:
        response = operation(*args, **kwargs)
        for value in response.data:
            yield value
        kwargs["page"] = response.next_page
        if not response.has_next_page:
            break


for u in paginate(identity.list_users, compartment_id=compartment_id):
    print(u.name)

memberships = identity.list_user_group_memberships(
    compartment_id=compartment_id,
    user_id=user.data.id,
    group_id=group.data.id)
assert len(memberships.data) == 1
membership_id = memberships.data[0].id

# (checks beyond the quickstart, before the clean-up)
names = [u.name for u in paginate(identity.list_users, compartment_id=compartment_id, limit=1)]
check("my-test-user" in names and len(names) == len(first_page.data) and len(names) >= 2,
      "list_users with limit=1 pages through every user via opc-next-page (%d users)" % len(names))
try:
    # 409 IncorrectState is retried by the default strategy for ~90 s: ask once.
    identity.delete_group(group_id=group.data.id, retry_strategy=oci.retry.NoneRetryStrategy())
    check(False, "deleting a group with members is refused")
except oci.exceptions.ServiceError as e:
    check(e.status == 409, "deleting a group with members answers 409 (%s)" % e.code)

check(identity.remove_user_from_group(
    user_group_membership_id=membership_id).status == 204, "remove_user_from_group 204")
check(identity.delete_user(user_id=user.data.id).status == 204, "delete_user 204")
check(identity.delete_group(group_id=group.data.id).status == 204, "delete_group 204")

# ---- Quickstart: working with bytes ----
object_storage = oci.object_storage.ObjectStorageClient(config, service_endpoint=endpoint)
namespace = object_storage.get_namespace().data

from oci.object_storage.models import CreateBucketDetails
request = CreateBucketDetails()
request.compartment_id = compartment_id
request.name = "MyTestBucket"
bucket = object_storage.create_bucket(namespace, request)
print(bucket.data.etag)

my_data = b"Hello, World!"
obj = object_storage.put_object(
    namespace,
    bucket.data.name,
    "my-object-name",
    my_data)

same_obj = object_storage.get_object(
    namespace,
    bucket.data.name,
    "my-object-name")
print(same_obj.data)
print(same_obj.data.content)
check(same_obj.data.content == b"Hello, World!", "get_object returns the bytes put")
check(same_obj.headers["etag"] == obj.headers["etag"], "get_object etag matches put_object's")

# ---- beyond the quickstart ----
listed = object_storage.list_objects(namespace, bucket.data.name, fields="name,size,md5")
check([(o.name, o.size) for o in listed.data.objects] == [("my-object-name", 13)],
      "list_objects shows the object with its size")

upload = oci.object_storage.UploadManager(object_storage, allow_parallel_uploads=False)
payload = bytes(range(256)) * 4096  # 1 MiB
result = upload.upload_stream(namespace, bucket.data.name, "multi/part.bin",
                              io.BytesIO(payload), part_size=256 * 1024)
got = object_storage.get_object(namespace, bucket.data.name, "multi/part.bin")
check(got.data.content == payload and "opc-multipart-md5" in got.headers,
      "UploadManager multipart upload (4 parts) round-trips")
ranged = object_storage.get_object(namespace, bucket.data.name, "multi/part.bin", range="bytes=10-19")
check(ranged.status == 206 and ranged.data.content == payload[10:20], "range GET answers 206 with the bytes")

for name in ["my-object-name", "multi/part.bin"]:
    object_storage.delete_object(namespace, bucket.data.name, name)
check(object_storage.delete_bucket(namespace, bucket.data.name).status == 204, "delete_bucket 204")

# Identity beyond users and groups.
tenancy = identity.get_tenancy(compartment_id).data
check(tenancy.id == compartment_id and tenancy.home_region_key == "IAD", "get_tenancy")
check(any(r.name == "us-ashburn-1" for r in identity.list_regions().data), "list_regions")
check(len(identity.list_availability_domains(compartment_id).data) == 3, "list_availability_domains")
comp = identity.create_compartment(oci.identity.models.CreateCompartmentDetails(
    compartment_id=compartment_id, name="sdk-compartment", description="d")).data
policy = identity.create_policy(oci.identity.models.CreatePolicyDetails(
    compartment_id=comp.id, name="sdk-policy", description="d",
    statements=["Allow group x to read buckets in tenancy"])).data
check(identity.get_policy(policy.id).data.statements == ["Allow group x to read buckets in tenancy"],
      "create_policy / get_policy")
identity.delete_policy(policy.id)
identity.delete_compartment(comp.id)
keys = identity.list_api_keys(config["user"]).data
check([k.fingerprint for k in keys] == [config["fingerprint"]], "list_api_keys shows the config's key")
try:
    identity.list_tag_namespaces(compartment_id, retry_strategy=oci.retry.NoneRetryStrategy())
    check(False, "unimplemented operations answer 501")
except oci.exceptions.ServiceError as e:
    check(e.status == 501 and "ListTagNamespaces" in e.message, "unimplemented operations answer 501 naming it")

# Delegate Access Control work requests.
wr_client = oci.delegate_access_control.WorkRequestClient(config, service_endpoint=endpoint)
all_wrs = oci.pagination.list_call_get_all_results(
    wr_client.list_work_requests, compartment_id, limit=2).data
check(len(all_wrs) == 6 and all(w.status in ("ACCEPTED", "IN_PROGRESS", "SUCCEEDED", "FAILED") for w in all_wrs),
      "list_work_requests pages through 6 work requests")
wr = wr_client.get_work_request(all_wrs[0].id).data
check(wr.id == all_wrs[0].id and wr.operation_type == "CREATE_DELEGATION_CONTROL", "get_work_request")
check(len(wr_client.list_work_request_logs(wr.id).data.items) >= 1, "list_work_request_logs")
wr_client.list_work_request_errors(wr.id)

bad = dict(config)
bad["fingerprint"] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
try:
    oci.identity.IdentityClient(bad, service_endpoint=endpoint).get_user(config["user"])
    check(False, "an unregistered keyId is rejected")
except oci.exceptions.ServiceError as e:
    check(e.status == 401 and e.code == "NotAuthenticated", "an unregistered keyId gets 401 NotAuthenticated")

print("quickstart passed")
