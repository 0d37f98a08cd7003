"""The OCI Python SDK's workload identities, run against oci-emulator.

usage: OCI_METADATA_BASE_URL=ENDPOINT/opc/v2 python instance_principal.py ENDPOINT

- Instance principals: `InstancePrincipalsSecurityTokenSigner(federation_endpoint=ENDPOINT/v1/x509)`
  reads the certificate, key, intermediate and region from the emulator's IMDS, federates, and
  lists users and puts and gets an object with the token; a forced refresh federates again.
- A token altered by one character is refused with 401 NotAuthenticated.
- Resource principals v2.2: an RPST + key minted by the control API
  (`POST /_emulator/resource-principals`), handed over as OCI_RESOURCE_PRINCIPAL_* variables, lists
  users too.
"""

import json
import os
import sys
import urllib.request

import oci

endpoint = sys.argv[1]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + "/_emulator/" + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req) as resp:
        text = resp.read()
        return json.loads(text) if text else None


def federation_calls():
    return sum(1 for e in control("GET", "journal") if e["operation"] == "X509Federation")


info = control("GET", "info")

# ---- Instance principals ----
signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner(
    federation_endpoint=endpoint + "/v1/x509"
)
check(signer.tenancy_id == info["tenancy"], "the tenancy comes from the certificate's opc-tenant")
check(signer.region == info["region"], "the region comes from IMDS")
check(federation_calls() == 1, "one federation call for the first token")

config = {"region": signer.region}
identity = oci.identity.IdentityClient(config, signer=signer, service_endpoint=endpoint)
users = identity.list_users(compartment_id=signer.tenancy_id).data
check(any(u.id == info["user"] for u in users), "list_users as the instance sees the seeded user")

storage = oci.object_storage.ObjectStorageClient(config, signer=signer, service_endpoint=endpoint)
namespace = storage.get_namespace().data
check(namespace == info["namespace"], "get_namespace as the instance")
storage.create_bucket(
    namespace,
    oci.object_storage.models.CreateBucketDetails(name="ip-bucket", compartment_id=signer.tenancy_id),
)
storage.put_object(namespace, "ip-bucket", "hello.txt", b"from an instance principal")
got = storage.get_object(namespace, "ip-bucket", "hello.txt").data.content
check(got == b"from an instance principal", "put_object + get_object as the instance")

signer.refresh_security_token()
check(federation_calls() == 2, "a forced refresh federates again")
users = identity.list_users(compartment_id=signer.tenancy_id).data
check(len(users) >= 1, "list_users with the refreshed token")

# The token is a JWT PyJWT reads, with the claims OCI's auth service writes.
claims = signer.federation_client.security_token.get_jwt()
check(claims["exp"] - claims["iat"] == 20 * 60, "the token lives 20 minutes (the emulator's default)")
check(claims["opc-tenant"] == info["tenancy"] and claims["ptype"] == "instance", "instance claims")
check(json.loads(claims["jwk"])["kty"] == "RSA", "the session key is a jwk claim")

# ---- A forged token is refused ----
token = signer.federation_client.get_security_token()
head, payload, sig = token.split(".")
forged_sig = ("A" if sig[0] != "A" else "B") + sig[1:]
forged = oci.auth.signers.SecurityTokenSigner(
    head + "." + payload + "." + forged_sig, signer.session_key_supplier.get_key_pair()["private"]
)
forged_identity = oci.identity.IdentityClient(config, signer=forged, service_endpoint=endpoint)
try:
    forged_identity.list_users(compartment_id=signer.tenancy_id)
    check(False, "a forged token is refused")
except oci.exceptions.ServiceError as e:
    check(e.status == 401 and e.code == "NotAuthenticated", "a forged token is 401 NotAuthenticated")

# ---- Resource principals v2.2 ----
if os.environ.get("SKIP_RESOURCE_PRINCIPAL") != "1":
    session = control("POST", "resource-principals", {})
    os.environ["OCI_RESOURCE_PRINCIPAL_VERSION"] = "2.2"
    os.environ["OCI_RESOURCE_PRINCIPAL_RPST"] = session["rpst"]
    os.environ["OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM"] = session["privatePem"]
    os.environ["OCI_RESOURCE_PRINCIPAL_REGION"] = session["region"]
    rp = oci.auth.signers.get_resource_principals_signer()
    check(rp.tenancy_id == info["tenancy"], "the RPST's res_tenant is the tenancy")
    check(rp.compartment_id == session["compartmentId"], "the RPST's res_compartment")
    rp_identity = oci.identity.IdentityClient({"region": rp.region}, signer=rp, service_endpoint=endpoint)
    users = rp_identity.list_users(compartment_id=rp.tenancy_id).data
    check(any(u.id == info["user"] for u in users), "list_users as a resource principal (v2.2)")

print("instance principal check passed")
