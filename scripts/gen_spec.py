#!/usr/bin/env python3
"""Dev-only: derive oci-tower's service specs (spec/<service>.json) from the official OCI Python SDK.

How the spec is made (this script is the whole recipe; re-run it to regenerate):

    OCI_GO_SDK=<oci-go-sdk checkout> /work/venv-oci/bin/python scripts/gen_spec.py [service...]
                                                               # writes spec/*.json
    cargo run -p oci-codegen                                   # writes the Rust modules

The OCI Python SDK (`pip install oci`, 2.189.0 when these specs were made) is itself generated
from Oracle's API specs, and every generated client method follows one fixed shape. We read that
shape back with `inspect.getsource` + `ast`, never by running an operation:

* Operations: every public method of the client class whose body assigns `resource_path` and
  `method`. From the method's AST we take `resource_path`, `method`, `operation_name`,
  `api_reference_link`, the `path_params` / `query_params` / `header_params` dict literals (in source
  order, which is wire order), `generate_collection_format_param(..., '<fmt>')` wrappers
  (collection formats), `<param>_allowed_values = [...]` checks (operation-level enums), the
  `opc_meta` loop (prefixed header map), a default `expect` header, the `call_api` keywords
  `body=`, `response_type=` and `enforce_content_headers=False` (exclude-body signing), and whether
  `add_opc_retry_token_if_needed` is called (declares opc-retry-token). Parameter types, required
  flags and docs come from the method docstring (`:param <type> <name>: (required|optional)`).
* Paginated: an operation with a `page` query parameter (token from `opc-next-page`); Object
  Storage `list_objects` paginates by the body field `nextStartWith` sent back as `start`.
  The items field is the body when it is a list, else the model's `items` field.
* Models: every class in `<service>.models` reachable from the chosen operations (plus subtypes of
  polymorphic models). We instantiate each with no arguments to read `swagger_types` and
  `attribute_map` (declaration order), read each property's setter with `ast` for
  `allowed_values` and whether an unknown value maps to `UNKNOWN_ENUM_VALUE` (response models) or
  raises (request-only models), the getter docstring for docs and `**[Required]**`, and
  `get_subtype` for the discriminator field and its value -> subtype table.
* Response headers: the Python SDK returns raw headers, so per-operation header lists are a
  documented supplement taken from the Go SDK's `*_request_response.go` (see
  reference/oci-protocol-facts.md G.2) and written in `RESPONSE_HEADERS` below.
"""

import ast
import inspect
import json
import os
import re
import sys
import textwrap

import oci

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OBJECT_STORAGE_OPS = [
    "get_namespace",
    "create_bucket", "get_bucket", "head_bucket", "list_buckets", "update_bucket", "delete_bucket",
    "put_object", "get_object", "head_object", "list_objects", "delete_object",
    "create_multipart_upload", "upload_part", "commit_multipart_upload", "abort_multipart_upload",
    "list_multipart_uploads", "list_multipart_upload_parts",
]

_OS_CHECKSUMS = ["opc-content-crc32c", "opc-content-sha256", "opc-content-sha384"]
_OS_OBJECT_HEADERS = [
    "content-length", "content-md5", "opc-multipart-md5", *_OS_CHECKSUMS,
    "content-type", "content-language", "content-encoding", "cache-control", "content-disposition",
    "last-modified", "storage-tier", "archival-state", "time-of-archival", "version-id",
    "is-not-modified",
]
# Response headers beyond opc-request-id / opc-next-page / etag (Go SDK, facts G.2).
RESPONSE_HEADERS = {
    "objectstorage": {
        "*": ["opc-client-request-id"],
        "put_object": ["opc-content-md5", *_OS_CHECKSUMS, "last-modified", "version-id"],
        "upload_part": ["opc-content-md5", *_OS_CHECKSUMS],
        "commit_multipart_upload": ["opc-multipart-md5", "opc-content-crc32c",
                                    "opc-multipart-sha256", "opc-multipart-sha384",
                                    "last-modified", "version-id"],
        "create_multipart_upload": ["location"],
        "create_bucket": ["location"],
        "head_object": _OS_OBJECT_HEADERS,
        "get_object": _OS_OBJECT_HEADERS + ["content-range", "expires"],
    },
}
# Request headers that carry secrets: typed as `Secret` (redacted in Debug), sent as sensitive.
SENSITIVE_HEADERS = {"opc-sse-customer-key"}
# Model fields that carry secrets (credentials the service returns once, passwords sent to it):
# the generated `Debug` shows `<redacted>` for them. Public keys (ApiKey.keyValue) are not secret.
SECRET_FIELDS = {
    ("AuthToken", "token"),
    ("CreateDbCredentialDetails", "password"),
    ("CustomerSecretKey", "key"),
    ("MfaTotpToken", "totpToken"),
    ("OAuth2ClientCredential", "password"),
    ("ScimClientCredentials", "clientSecret"),
    ("SmtpCredential", "password"),
    ("SwiftPassword", "password"),
    ("UIPassword", "password"),
}
# Operations whose response carries `opc-meta-*` headers, exposed as a map.
META_RESPONSE = {"head_object", "get_object"}

SERVICES = [
    {
        "name": "identity",
        "module": "oci.identity",
        "client": oci.identity.IdentityClient,
        "models": oci.identity.models,
        "ops": None,  # all
        "all_models": True,
        "endpoint_template": "https://identity.{region}.oci.{secondLevelDomain}",
        "base_path": "/20160918",
        "strict_path_encoding": False,
    },
    {
        "name": "objectstorage",
        "module": "oci.object_storage",
        "client": oci.object_storage.ObjectStorageClient,
        "models": oci.object_storage.models,
        "ops": OBJECT_STORAGE_OPS,
        "endpoint_template": "https://objectstorage.{region}.{secondLevelDomain}",
        "base_path": "",
        "strict_path_encoding": True,
    },
    {
        "name": "delegateaccesscontrol",
        "module": "oci.delegate_access_control",
        "client": oci.delegate_access_control.WorkRequestClient,
        "models": oci.delegate_access_control.models,
        "ops": None,
        "endpoint_template": "https://delegate-access-control.{region}.oci.{secondLevelDomain}",
        "base_path": "/20230801",
        "strict_path_encoding": False,
    },
]

# Services with their clients taken whole (issue 14). Endpoint template and base path are read
# from each client's `__init__`; response headers from the Go SDK (see `go_response_headers`).
# A service with one client is written in the single-client format above; one with several gets
# `clients` (one Rust module each, named after the Python module without `_client`) and shares
# its models.
CLIENT_SERVICES = [
    ("secrets", oci.secrets, [oci.secrets.SecretsClient]),
    ("vault", oci.vault, [oci.vault.VaultsClient]),
    ("keymanagement", oci.key_management,
     [oci.key_management.KmsCryptoClient, oci.key_management.KmsManagementClient,
      oci.key_management.KmsVaultClient]),
    ("queue", oci.queue, [oci.queue.QueueAdminClient, oci.queue.QueueClient]),
    ("streaming", oci.streaming, [oci.streaming.StreamAdminClient, oci.streaming.StreamClient]),
    ("ons", oci.ons,
     [oci.ons.NotificationControlPlaneClient, oci.ons.NotificationDataPlaneClient]),
    ("monitoring", oci.monitoring, [oci.monitoring.MonitoringClient]),
    ("loggingingestion", oci.loggingingestion, [oci.loggingingestion.LoggingClient]),
]
# Per-resource endpoints: (model, field) -> (client, method). A vault's crypto and management
# endpoints, a stream's and a queue's messages endpoint are where their data-plane clients talk;
# the generated `model.method(&client)?` makes that client, same stack and credentials.
RESOURCE_ENDPOINTS = {
    ("Vault", "cryptoEndpoint"): ("KmsCryptoClient", "crypto_client"),
    ("Vault", "managementEndpoint"): ("KmsManagementClient", "management_client"),
    ("VaultSummary", "cryptoEndpoint"): ("KmsCryptoClient", "crypto_client"),
    ("VaultSummary", "managementEndpoint"): ("KmsManagementClient", "management_client"),
    ("VaultReplicaSummary", "cryptoEndpoint"): ("KmsCryptoClient", "crypto_client"),
    ("VaultReplicaSummary", "managementEndpoint"): ("KmsManagementClient", "management_client"),
    ("Stream", "messagesEndpoint"): ("StreamClient", "messages_client"),
    ("StreamSummary", "messagesEndpoint"): ("StreamClient", "messages_client"),
    ("Queue", "messagesEndpoint"): ("QueueClient", "messages_client"),
    ("QueueSummary", "messagesEndpoint"): ("QueueClient", "messages_client"),
}
# String fields that carry bytes as standard base64 (the Java SDK types them `byte[]`; the API
# reference says "base64-encoded"): the generated model documents it and offers typed
# `<field>_bytes()` / `set_<field>_bytes()` helpers (`oci_core::base64`). KMS ciphertexts and
# Queue receipts are opaque tokens, passed back as they are, so they are not listed.
BASE64_FIELDS = {
    ("EncryptDataDetails", "plaintext"), ("DecryptedData", "plaintext"),
    ("GeneratedKey", "plaintext"), ("SignDataDetails", "message"),
    ("VerifyDataDetails", "message"), ("SignedData", "signature"),
    ("VerifyDataDetails", "signature"), ("WrappedImportKey", "keyMaterial"),
    ("ExportedKeyData", "encryptedKey"),
    ("Base64SecretBundleContentDetails", "content"), ("Base64SecretContentDetails", "content"),
    ("Message", "key"), ("Message", "value"),
    ("PutMessagesDetailsEntry", "key"), ("PutMessagesDetailsEntry", "value"),
}
# Long polls: a query parameter that makes the server hold the answer up to N seconds, and the
# server's wait when it is unset (Queue's `timeoutInSeconds`: unset means the queue's default
# polling timeout, at most 30 s per the Queue API reference). The generated request raises the
# call's attempt timeout above the poll (`oci_core::layers::LongPoll`).
LONG_POLL = {("queue", "timeoutInSeconds"): 30}

# Keyword arguments every generated method accepts that are SDK plumbing, not API parameters.
PLUMBING = {"retry_strategy", "allow_control_chars", "enable_strict_url_encoding", "buffer_limit",
            "progress_callback"}


def camel_to_snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def clean_doc(text):
    """Dedents a docstring fragment, turns rST links and roles into plain Markdown-ish text."""
    if not text:
        return ""
    text = textwrap.dedent(text).strip()
    text = re.sub(r":py:[a-z]+:`~?([^`]+)`", r"`\1`", text)
    text = re.sub(r":class:`~?([^`]+)`", r"`\1`", text)
    text = re.sub(r"`([^`<]+?)`__", r"\1", text)
    text = re.sub(r"^__ (\S+)$", r"<\1>", text, flags=re.M)
    text = text.replace("\\\"", "\"")
    return text


def parse_docstring(doc):
    """Returns (summary, {py_name: (type, required, doc)}, return_text)."""
    doc = doc or ""
    parts = re.split(r"\n\s*:param ", "\n" + doc)
    summary = clean_doc(parts[0])
    params = {}
    for chunk in parts[1:]:
        m = re.match(r"(\S+(?:\(str, str\))?) (\w+): \((required|optional)\)\n?(.*)", chunk, re.S)
        if not m:
            continue
        typ, name, req, rest = m.groups()
        rest = re.split(r"\n\s*:(return|rtype|example):", rest)[0]
        params[name] = (typ, req == "required", clean_doc(rest))
    return summary, params


def const(node):
    if isinstance(node, ast.Constant):
        return node.value
    return None


def kwargs_get_name(node):
    """`kwargs.get("x", missing)` -> "x"."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "kwargs"):
        return const(node.args[0])
    return None


def param_source(node):
    """Value expression of a params dict -> (py_name, collection_format)."""
    if isinstance(node, ast.Name):
        return node.id, None
    name = kwargs_get_name(node)
    if name:
        return name, None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "generate_collection_format_param":
        inner, _ = param_source(node.args[0])
        return inner, const(node.args[1])
    raise ValueError("unknown param source: " + ast.dump(node))


def map_type(py_type, service_module):
    """A docstring / swagger type to the spec's type grammar."""
    t = py_type.strip()
    prefix = service_module + ".models."
    if t.startswith(prefix):
        return {"kind": "model", "name": t[len(prefix):]}
    if t in ("str", "string"):
        return {"kind": "string"}
    if t == "int":
        return {"kind": "integer"}
    if t == "float":
        return {"kind": "number"}
    if t == "bool":
        return {"kind": "boolean"}
    if t == "datetime":
        return {"kind": "datetime"}
    if t == "date":
        return {"kind": "date"}
    if t == "object":
        return {"kind": "any"}
    if t == "stream":
        return {"kind": "binary"}
    m = re.fullmatch(r"list\[(.+)\]", t)
    if m:
        return {"kind": "list", "items": map_type(m.group(1), service_module)}
    m = re.fullmatch(r"dict\(str, (.+)\)", t)
    if m:
        return {"kind": "map", "values": map_type(m.group(1), service_module)}
    if re.fullmatch(r"[A-Z]\w*", t):
        return {"kind": "model", "name": t}
    raise ValueError("unknown type " + t)


def model_refs(t, out):
    if t["kind"] == "model":
        out.add(t["name"])
    elif t["kind"] == "list":
        model_refs(t["items"], out)
    elif t["kind"] == "map":
        model_refs(t["values"], out)


def extract_operation(svc, py_name, fn):
    src = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(src)
    func = tree.body[0]
    summary, doc_params = parse_docstring(ast.get_docstring(func))
    positional = [a.arg for a in func.args.args[1:]]

    scalars = {}
    dicts = {}
    allowed = {}
    retry_token = False
    call_kw = {}
    expect_default = None
    meta_header_param = None
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            tgt = node.targets[0]
            if isinstance(tgt, ast.Name):
                if isinstance(node.value, ast.Constant) and tgt.id not in scalars:
                    scalars[tgt.id] = node.value.value
                elif isinstance(node.value, ast.Dict) and tgt.id not in dicts:
                    dicts[tgt.id] = node.value
                elif isinstance(node.value, ast.List) and tgt.id.endswith("_allowed_values"):
                    allowed[tgt.id[: -len("_allowed_values")]] = [const(e) for e in node.value.elts]
            elif isinstance(tgt, ast.Subscript) and isinstance(tgt.value, ast.Name) \
                    and tgt.value.id == "header_params":
                key = const(tgt.slice)
                if key == "expect" and isinstance(node.value, ast.Constant):
                    expect_default = node.value.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "add_opc_retry_token_if_needed":
                retry_token = True
            if node.func.attr in ("call_api", "make_retrying_call") and not call_kw:
                for kw in node.keywords:
                    if kw.arg in ("body", "response_type", "enforce_content_headers"):
                        call_kw[kw.arg] = kw.value
        if isinstance(node, ast.For):
            it = node.iter
            if isinstance(it, ast.Call) and it.args and kwargs_get_name(it.args[0]):
                meta_header_param = kwargs_get_name(it.args[0])

    if "resource_path" not in scalars or "method" not in scalars:
        return None

    used = set()

    def make_param(wire, py, location, fmt=None):
        used.add(py)
        typ, required, pdoc = doc_params.get(py, ("str", py in positional, ""))
        p = {
            "name": wire,
            "rustName": py,
            "location": location,
            "type": map_type(typ, svc["module"]),
            "required": py in positional,
            "doc": pdoc,
        }
        if fmt:
            p["collectionFormat"] = fmt
        if py in allowed:
            p["enum"] = allowed[py]
        return p

    params = []
    constant_headers = {}
    for loc, dname in (("path", "path_params"), ("query", "query_params"), ("header", "header_params")):
        d = dicts.get(dname)
        if d is None:
            continue
        for k, v in zip(d.keys, d.values):
            wire = const(k)
            if isinstance(v, ast.Constant):
                constant_headers[wire.lower()] = v.value  # accept / content-type
                continue
            py, fmt = param_source(v)
            params.append(make_param(wire if loc != "header" else wire.lower(), py, loc, fmt))
            if loc == "header" and wire.lower() in SENSITIVE_HEADERS:
                params[-1]["sensitive"] = True
            if loc == "path":
                params[-1]["required"] = True
    if meta_header_param:
        p = make_param("opc-meta-", meta_header_param, "header")
        p["prefixMap"] = True
        params.append(p)
    if expect_default:
        for p in params:
            if p["name"] == "expect":
                p["default"] = expect_default

    body = None
    if "body" in call_kw:
        bnode = call_kw["body"]
        py = bnode.id if isinstance(bnode, ast.Name) else kwargs_get_name(bnode)
        used.add(py)
        typ, _, bdoc = doc_params.get(py, ("str", True, ""))
        body = {"rustName": py, "type": map_type(typ, svc["module"]),
                "required": py in positional, "doc": bdoc}

    extra = [k for k in doc_params if k not in used and k not in PLUMBING
             and doc_params[k][0] not in ("obj", "function")]
    if extra:
        raise ValueError(f"{py_name}: documented params not placed: {extra}")

    lp = LONG_POLL.get((svc["name"], next((p["name"] for p in params
                                            if p["name"] == "timeoutInSeconds"
                                            and p["location"] == "query"), None)))
    rt = const(call_kw.get("response_type")) if "response_type" in call_kw else None
    response = None
    if rt == "stream":
        response = {"kind": "binary"}
    elif rt:
        response = map_type(rt, svc["module"])
    exclude_body = ("enforce_content_headers" in call_kw
                    and const(call_kw["enforce_content_headers"]) is False)

    op = {
        "name": py_name,
        "operationId": "".join(w.capitalize() if w != "o" else "O" for w in py_name.split("_")),
        "method": scalars["method"],
        "path": scalars["resource_path"],
        "doc": summary,
        "apiReference": scalars.get("api_reference_link"),
        "params": params,
        "constantHeaders": constant_headers,
        "body": body,
        "response": response,
        "excludeBody": exclude_body,
        "retryToken": retry_token,
    }
    if lp is not None:
        op["longPoll"] = {"param": "timeoutInSeconds", "unsetSeconds": lp}
    go = go_response_headers(svc, py_name) if svc.get("go_package") else None
    if go is not None:
        headers = go
    else:
        rh = RESPONSE_HEADERS.get(svc["name"], {})
        headers = ["opc-request-id", "etag"] + rh.get("*", []) + rh.get(py_name, [])
        if any(p["name"] == "page" for p in params):
            headers.insert(1, "opc-next-page")
    op["responseHeaders"] = list(dict.fromkeys(headers))
    if py_name in META_RESPONSE:
        op["responseMetaHeaders"] = "opc-meta-"
    op["pagination"] = pagination_for(svc, op)
    return op


def go_response_headers(svc, py_name):
    """The header names of the Go SDK's `<Op>Response` struct, in declaration order, from
    `$OCI_GO_SDK/<package>/<op>_request_response.go` (a checkout of oracle/oci-go-sdk; 65.117.1
    when these specs were made). `None` when the Go SDK has no such file."""
    root = os.environ.get("OCI_GO_SDK")
    if not root:
        raise SystemExit("set OCI_GO_SDK to a checkout of github.com/oracle/oci-go-sdk")
    path = os.path.join(root, svc["go_package"], py_name + "_request_response.go")
    if not os.path.exists(path):
        return None
    src = open(path).read()
    m = re.search(r"type \w+Response struct \{(.*?)\n\}", src, re.S)
    if not m:
        return None
    return [h.lower() for h in re.findall(r'presentIn:"header" name:"([^"]+)"', m.group(1))]


def pagination_for(svc, op):
    if op["name"] == "list_objects":
        return {"tokenFrom": "body", "tokenField": "nextStartWith", "tokenParam": "start",
                "itemsField": "objects"}
    if not any(p["name"] == "page" and p["location"] == "query" for p in op["params"]):
        return None
    resp = op["response"]
    if resp is None:
        return None
    if resp["kind"] == "list":
        items = None
    else:
        items = "items"
    return {"tokenFrom": "header", "tokenHeader": "opc-next-page", "tokenParam": "page",
            "itemsField": items}


# ----- models -----

def setter_info(cls, attr):
    """(allowed_values, mode) from a property's setter source, or (None, None)."""
    prop = inspect.getattr_static(cls, attr, None)
    if not isinstance(prop, property) or prop.fset is None:
        return None, None
    tree = ast.parse(textwrap.dedent(inspect.getsource(prop.fset)))
    values, mode = None, None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == "allowed_values" and isinstance(node.value, ast.List):
            values = [const(e) for e in node.value.elts]
        if isinstance(node, ast.Raise):
            mode = "raise"
        if isinstance(node, ast.Constant) and node.value == "UNKNOWN_ENUM_VALUE":
            mode = "unknown"
    return values, (mode if values else None)


def getter_doc(cls, attr):
    prop = inspect.getattr_static(cls, attr, None)
    if not isinstance(prop, property):
        return "", False
    doc = inspect.getdoc(prop.fget) or ""
    required = "**[Required]**" in doc
    doc = doc.replace("**[Required]** ", "")
    doc = re.split(r"\n\s*:return:", doc)[0]
    # Drop the "Gets the x of this Y." line: the rest is the field's real doc.
    lines = doc.split("\n")
    if lines and lines[0].startswith("Gets the "):
        lines = lines[1:]
    return clean_doc("\n".join(lines)), required


def subtype_info(cls):
    fn = cls.__dict__.get("get_subtype")
    if fn is None:
        return None
    fn = fn.__func__ if isinstance(fn, staticmethod) else fn
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    field = None
    mapping = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
            field = const(node.value.slice)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            val = const(node.test.comparators[0])
            ret = node.body[0]
            if isinstance(ret, ast.Return) and val is not None:
                mapping[val] = const(ret.value)
    return {"field": field, "mapping": mapping}


def extract_model(svc, name):
    cls = getattr(svc["models"], name)
    inst = cls()
    doc = clean_doc(inspect.getdoc(cls) or "")
    fields = []
    for attr, typ in inst.swagger_types.items():
        fdoc, required = getter_doc(cls, attr)
        values, mode = setter_info(cls, attr)
        f = {
            "name": inst.attribute_map[attr],
            "rustName": attr,
            "type": map_type(typ, svc["module"]),
            "required": required,
            "doc": fdoc,
        }
        if values:
            f["enum"] = values
            f["enumMode"] = mode
        if (name, f["name"]) in SECRET_FIELDS:
            f["secret"] = True
        if (name, f["name"]) in BASE64_FIELDS:
            f["format"] = "base64"
        if (name, f["name"]) in RESOURCE_ENDPOINTS:
            client, method = RESOURCE_ENDPOINTS[(name, f["name"])]
            f["resourceEndpoint"] = {"client": client, "method": method}
        fields.append(f)
    m = {"name": name, "doc": doc, "fields": fields}
    base = [b.__name__ for b in cls.__bases__ if b is not object]
    if base:
        m["base"] = base[0]
    sub = subtype_info(cls)
    if sub and sub["mapping"]:
        m["discriminator"] = sub
    return m


def build(svc):
    client = svc["client"]
    ops = []
    names = svc["ops"] or sorted(n for n, v in vars(client).items()
                                 if callable(v) and not n.startswith("_"))
    for n in names:
        op = extract_operation(svc, n, getattr(client, n))
        if op is not None:
            ops.append(op)
    if svc["ops"]:
        missing = set(svc["ops"]) - {o["name"] for o in ops}
        assert not missing, missing
    # Models reachable from operations, transitively, plus polymorphic subtypes.
    todo = set()
    for op in ops:
        for p in op["params"]:
            model_refs(p["type"], todo)
        if op["body"]:
            model_refs(op["body"]["type"], todo)
        if op["response"]:
            model_refs(op["response"], todo)
    if svc.get("all_models"):
        todo |= {n for n, v in vars(svc["models"]).items() if inspect.isclass(v)}
    models = {}
    while todo:
        n = todo.pop()
        if n in models:
            continue
        m = extract_model(svc, n)
        models[n] = m
        for f in m["fields"]:
            model_refs(f["type"], todo)
        if "discriminator" in m:
            todo |= set(m["discriminator"]["mapping"].values())
        if "base" in m:
            todo.add(m["base"])
    client_doc = clean_doc(inspect.getdoc(client) or "")
    return {
        "service": svc["name"],
        "pythonClient": f"{svc['module']}.{client.__name__}",
        "sdkVersion": oci.__version__,
        "doc": client_doc,
        "endpointTemplate": svc["endpoint_template"],
        "basePath": svc["base_path"],
        "strictPathEncoding": svc["strict_path_encoding"],
        "operations": ops,
        "models": [models[k] for k in sorted(models)],
    }


def endpoint_of(client):
    """(endpoint template, base path) from a client's `__init__`."""
    src = inspect.getsource(client.__init__)
    tpl = re.search(r"'service_endpoint_template': '([^']*)'", src).group(1)
    base = re.search(r"'base_path': '([^']*)'", src).group(1)
    return tpl, base.rstrip("/")


def build_clients(name, package, clients):
    """A spec for the clients of one package: single-client format for one, `clients` else."""
    views = []
    for client in clients:
        tpl, base = endpoint_of(client)
        module = client.__module__.rsplit(".", 1)[1]
        module = module[: -len("_client")] if module.endswith("_client") else module
        svc = {
            "name": name,
            "module": package.__name__,
            "client": client,
            "models": package.models,
            "ops": None,
            "endpoint_template": tpl,
            "base_path": base,
            "strict_path_encoding": False,
            "go_package": name,
        }
        views.append((module, build(svc)))
    if len(views) == 1:
        return views[0][1]
    models = {}
    for _, v in views:
        for m in v["models"]:
            models[m["name"]] = m
    return {
        "service": name,
        "sdkVersion": oci.__version__,
        "doc": clean_doc(inspect.getdoc(package) or ""),
        "strictPathEncoding": False,
        "clients": [
            {
                "module": module,
                "pythonClient": v["pythonClient"],
                "doc": v["doc"],
                "endpointTemplate": v["endpointTemplate"],
                "basePath": v["basePath"],
                "operations": v["operations"],
            }
            for module, v in views
        ],
        "models": [models[k] for k in sorted(models)],
    }


def main():
    out_dir = os.path.join(ROOT, "spec")
    os.makedirs(out_dir, exist_ok=True)
    only = set(sys.argv[1:])
    todo = [(svc["name"], lambda svc=svc: build(svc)) for svc in SERVICES]
    todo += [(n, lambda n=n, p=p, c=c: build_clients(n, p, c)) for n, p, c in CLIENT_SERVICES]
    for name, make in todo:
        if only and name not in only:
            continue
        spec = make()
        svc = {"name": name}
        path = os.path.join(out_dir, svc["name"] + ".json")
        with open(path, "w") as f:
            json.dump(spec, f, indent=1, sort_keys=False)
            f.write("\n")
        n_ops = sum(len(c["operations"]) for c in spec.get("clients", [spec]))
        print(f"{path}: {n_ops} operations, {len(spec['models'])} models", file=sys.stderr)


if __name__ == "__main__":
    main()
