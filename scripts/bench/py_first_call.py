"""The official OCI Python SDK side of T6: process start to the first signed response.

    python py_first_call.py CONFIG ENDPOINT USER_OCID

The same work as the `first-call` binary: import the SDK, load the config and its key, build an
IdentityClient pointed at the server, one signed get_user, check the answer, print it, exit.
Run with the bytecode cache on, so `import oci` reads the compiled package as users' runs do.
"""
import sys

import oci

config = oci.config.from_file(sys.argv[1])
user = oci.identity.IdentityClient(config, service_endpoint=sys.argv[2]).get_user(sys.argv[3])
assert user.data.id == sys.argv[3], user.data.id
print(user.status, user.data.id)
