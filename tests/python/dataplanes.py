"""One data-plane scenario per service with the official OCI Python SDK, against oci-emulator.

usage: python dataplanes.py CONFIG_FILE ENDPOINT

Vault secrets (create a vault, a secret, a new version; read bundles by id, by name and stage),
KMS (a key at the vault's management endpoint; encrypt, decrypt, generate a data key at its
crypto endpoint; a ciphertext does not decrypt under another key), Queue (put, get with a
visibility timeout, update, delete), Streaming (put with keys, cursors, get with the next
cursor), Notifications (topic, subscription, publish), Monitoring (post, summarize) and Logging
ingestion (put logs), each client pointed at the endpoint (or the resource's own endpoint).
"""

import base64
import datetime
import sys

import oci

config_file, endpoint = sys.argv[1], sys.argv[2]
config = oci.config.from_file(file_location=config_file)
compartment = config["tenancy"]


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


# ---- KMS: vault, key, crypto ----
km = oci.key_management
vault = km.KmsVaultClient(config, service_endpoint=endpoint).create_vault(
    km.models.CreateVaultDetails(compartment_id=compartment, display_name="py-vault",
                                 vault_type="DEFAULT")).data
check(vault.crypto_endpoint.startswith(endpoint) and vault.id in vault.crypto_endpoint,
      "the vault's crypto endpoint points back at the emulator")
mgmt = km.KmsManagementClient(config, service_endpoint=vault.management_endpoint)
shape = km.models.KeyShape(algorithm="AES", length=32)
key = mgmt.create_key(km.models.CreateKeyDetails(
    compartment_id=compartment, display_name="py-key", key_shape=shape)).data
other = mgmt.create_key(km.models.CreateKeyDetails(
    compartment_id=compartment, display_name="py-other", key_shape=shape)).data
crypto = km.KmsCryptoClient(config, service_endpoint=vault.crypto_endpoint)
sealed = crypto.encrypt(km.models.EncryptDataDetails(key_id=key.id, plaintext=b64("attack at dawn"))).data
opened = crypto.decrypt(km.models.DecryptDataDetails(key_id=key.id, ciphertext=sealed.ciphertext)).data
check(base64.b64decode(opened.plaintext) == b"attack at dawn", "KMS encrypt/decrypt round trip")
try:
    crypto.decrypt(km.models.DecryptDataDetails(key_id=other.id, ciphertext=sealed.ciphertext))
    check(False, "a ciphertext does not decrypt under another key")
except oci.exceptions.ServiceError as e:
    check(e.status == 400, "a ciphertext does not decrypt under another key (400)")
dek = crypto.generate_data_encryption_key(km.models.GenerateKeyDetails(
    key_id=key.id, include_plaintext_key=True, key_shape=shape)).data
unwrapped = crypto.decrypt(km.models.DecryptDataDetails(key_id=key.id, ciphertext=dek.ciphertext)).data
check(unwrapped.plaintext == dek.plaintext and len(base64.b64decode(dek.plaintext)) == 32,
      "generated data key unwraps to its plaintext")

# ---- Vault secrets ----
vaults = oci.vault.VaultsClient(config, service_endpoint=endpoint)
secret = vaults.create_secret(oci.vault.models.CreateSecretDetails(
    compartment_id=compartment, vault_id=vault.id, key_id=key.id, secret_name="db-password",
    secret_content=oci.vault.models.Base64SecretContentDetails(
        content_type="BASE64", content=b64("hunter2"), name="v1")), ).data
vaults.update_secret(secret.id, oci.vault.models.UpdateSecretDetails(
    secret_content=oci.vault.models.Base64SecretContentDetails(
        content_type="BASE64", content=b64("hunter3"), stage="PENDING")))
secrets = oci.secrets.SecretsClient(config, service_endpoint=endpoint)
current = secrets.get_secret_bundle(secret.id).data
check(base64.b64decode(current.secret_bundle_content.content) == b"hunter2"
      and "CURRENT" in current.stages, "secret bundle by id: CURRENT is version 1")
pending = secrets.get_secret_bundle_by_name("db-password", vault.id, stage="PENDING").data
check(base64.b64decode(pending.secret_bundle_content.content) == b"hunter3"
      and pending.version_number == 2, "secret bundle by name, stage PENDING is version 2")
by_name = secrets.get_secret_bundle(secret.id, secret_version_name="v1").data
check(by_name.version_number == 1, "secret bundle by version name")
versions = secrets.list_secret_bundle_versions(secret.id).data
check(sorted(v.version_number for v in versions) == [1, 2], "secret bundle versions listed")

# ---- Queue ----
admin = oci.queue.QueueAdminClient(config, service_endpoint=endpoint)
created = admin.create_queue(oci.queue.models.CreateQueueDetails(
    display_name="py-jobs", compartment_id=compartment, visibility_in_seconds=30))
wr = admin.get_work_request(created.headers["opc-work-request-id"]).data
queue_id = wr.resources[0].identifier
q = admin.get_queue(queue_id).data
qc = oci.queue.QueueClient(config, service_endpoint=q.messages_endpoint)
qc.put_messages(queue_id, oci.queue.models.PutMessagesDetails(messages=[
    oci.queue.models.PutMessagesDetailsEntry(content="job-1"),
    oci.queue.models.PutMessagesDetailsEntry(content="job-2")]))
got = qc.get_messages(queue_id, limit=1, timeout_in_seconds=0).data.messages
check([m.content for m in got] == ["job-1"] and got[0].delivery_count == 1, "queue get_messages")
qc.update_message(queue_id, got[0].receipt, oci.queue.models.UpdateMessageDetails(visibility_in_seconds=60))
rest = qc.get_messages(queue_id, limit=10, timeout_in_seconds=1).data.messages
check([m.content for m in rest] == ["job-2"], "an in-flight message stays hidden")
qc.delete_message(queue_id, rest[0].receipt)
stats = qc.get_stats(queue_id).data
check(stats.queue.in_flight_messages == 1 and stats.queue.visible_messages == 0, "queue stats")

# ---- Streaming ----
sa = oci.streaming.StreamAdminClient(config, service_endpoint=endpoint)
stream = sa.create_stream(oci.streaming.models.CreateStreamDetails(
    name="py-events", partitions=1, compartment_id=compartment)).data
sc = oci.streaming.StreamClient(config, service_endpoint=stream.messages_endpoint)
put = sc.put_messages(stream.id, oci.streaming.models.PutMessagesDetails(messages=[
    oci.streaming.models.PutMessagesDetailsEntry(key=b64("k"), value=b64("event-%d" % i))
    for i in range(3)])).data
check(put.failures == 0 and [e.offset for e in put.entries] == [0, 1, 2], "stream put_messages")
cursor = sc.create_cursor(stream.id, oci.streaming.models.CreateCursorDetails(
    partition="0", type="AT_OFFSET", offset=1)).data.value
first = sc.get_messages(stream.id, cursor, limit=1)
check([base64.b64decode(m.value) for m in first.data] == [b"event-1"], "stream get at offset 1")
second = sc.get_messages(stream.id, first.headers["opc-next-cursor"])
check([m.offset for m in second.data] == [2], "the next cursor continues")

# ---- Notifications ----
cp = oci.ons.NotificationControlPlaneClient(config, service_endpoint=endpoint)
topic = cp.create_topic(oci.ons.models.CreateTopicDetails(name="py-alerts", compartment_id=compartment)).data
dp = oci.ons.NotificationDataPlaneClient(config, service_endpoint=endpoint)
dp.create_subscription(oci.ons.models.CreateSubscriptionDetails(
    topic_id=topic.topic_id, compartment_id=compartment, protocol="HTTPS",
    endpoint="https://example.invalid/hook"))
sent = dp.publish_message(topic.topic_id, oci.ons.models.MessageDetails(title="t", body="deployed")).data
check(sent.message_id.startswith("ocid1."), "notification published")

# ---- Monitoring ----
mon = oci.monitoring.MonitoringClient(config, service_endpoint=endpoint)
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
points = [oci.monitoring.models.Datapoint(timestamp=now - datetime.timedelta(minutes=5) + datetime.timedelta(seconds=s), value=v)
          for s, v in [(0, 1.0), (10, 3.0)]]
mon.post_metric_data(oci.monitoring.models.PostMetricDataDetails(metric_data=[
    oci.monitoring.models.MetricDataDetails(namespace="py_app", compartment_id=compartment,
                                            name="latency", dimensions={"host": "a"},
                                            datapoints=points)]))
summary = mon.summarize_metrics_data(compartment, oci.monitoring.models.SummarizeMetricsDataDetails(
    namespace="py_app", query="latency[1m].mean()",
    start_time=now - datetime.timedelta(hours=1), end_time=now)).data
check(len(summary) == 1 and [p.value for p in summary[0].aggregated_datapoints] == [2.0],
      "monitoring summarize mean")

# ---- Logging ingestion ----
logs = oci.loggingingestion.LoggingClient(config, service_endpoint=endpoint)
resp = logs.put_logs("ocid1.log.oc1..pytest", oci.loggingingestion.models.PutLogsDetails(
    specversion="1.0", log_entry_batches=[oci.loggingingestion.models.LogEntryBatch(
        source="py", type="app.log", defaultlogentrytime=now,
        entries=[oci.loggingingestion.models.LogEntry(data="hello", id="1")])]))
check(resp.status == 200, "put_logs accepted")
print("all data-plane checks passed")
