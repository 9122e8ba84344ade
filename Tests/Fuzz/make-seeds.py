#!/usr/bin/env python3
"""Writes the seed corpora under Tests/Fuzz/corpus/<target>/ (deterministic; re-run after changing it).

Seeds come from the test fixtures plus hostile cases: alias bombs, 100k-deep nesting, wide mappings, long scalars,
many documents, invalid UTF-8, NULs, huge numbers, and every JSON type confusion of each known document shape.
Large hostile seeds stay below 256 KiB so that the corpus stays small in git.
"""
import copy
import hashlib
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Tests", "Fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "Tests", "APIMTokenTests", "Fixtures", "KubeConfig")

# Values that stand in for every JSON type where another one is expected.
CONFUSIONS = [None, True, False, 0, -1, 1.5, "", "x", [], {}, [None], {"": None},
              "\u0000", "9" * 40, "2026-13-45T25:61:61Z"]
HUGE_NUMBERS = ["1e999999", "-1e999999", "123456789012345678901234567890", "-0", "0.0000000000000000000001e-400",
                "9223372036854775808", "-9223372036854775809", "1E400"]


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)


def confusions(document):
    """Every document obtained by replacing one value (at any depth) with each value of another JSON type."""
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + [key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, path + [index])

    walk(document, [])
    for path in paths:
        for replacement in CONFUSIONS:
            variant = copy.deepcopy(document)
            if not path:
                yield replacement
                continue
            parent = variant
            for step in path[:-1]:
                parent = parent[step]
            if type(parent[path[-1]]) is type(replacement) and parent[path[-1]] == replacement:
                continue
            parent[path[-1]] = replacement
            yield variant


# The targets that already have the large hostile framings (they are written once per target).
HOSTILE_DONE = set()


def json_family(target, stem, document, prefix=b""):
    """The document, its type confusions, huge numbers in each numeric slot, and hostile JSON framings."""
    write(target, f"{stem}.json", prefix + json.dumps(document).encode())
    for index, variant in enumerate(confusions(document)):
        data = prefix + json.dumps(variant).encode()
        write(target, f"{stem}-confusion-{index:03d}-{hashlib.sha1(data).hexdigest()[:8]}.json", data)
    text = json.dumps(document)
    for index, number in enumerate(HUGE_NUMBERS):
        write(target, f"{stem}-huge-{index}.json", prefix + text.replace("3600", number).replace('"expires_on": 1', f'"expires_on": {number}').encode())
    write(target, f"{stem}-nul.json", prefix + text.encode()[:-1] + b"\x00}")
    write(target, f"{stem}-invalid-utf8.json", prefix + text.encode().replace(b'"', b'"\xff\xfe', 2))
    write(target, f"{stem}-truncated.json", prefix + text.encode()[: len(text) // 2])
    write(target, f"{stem}-duplicate-keys.json", prefix + (text[:-1] + ", " + text[1:]).encode())
    if target in HOSTILE_DONE:
        return
    HOSTILE_DONE.add(target)
    write(target, f"{stem}-deep.json", prefix + b"[" * 10_000 + b"]" * 10_000)
    write(target, f"{stem}-deep-object.json", prefix + b'{"a":' * 5_000 + b"1" + b"}" * 5_000)
    keys = list(document)[:2] if isinstance(document, dict) else ["x"]
    write(target, f"{stem}-long-string.json", prefix + json.dumps({k: "A" * 100_000 for k in keys}).encode())
    write(target, f"{stem}-wide.json", prefix + json.dumps({f"k{i}": i for i in range(5_000)}).encode())
    write(target, f"{stem}-escapes.json", prefix + b'{"value":"\\ud800\\udc00\\ud800 \\u0000 \\uffff"}')


def kubeconfig_seeds():
    target = "kubeconfig"
    fixtures = []
    for folder, _, files in os.walk(FIXTURES):
        for name in sorted(files):
            if name.endswith((".yaml",)) or name == "config":
                fixtures.append(os.path.join(folder, name))
    for path in sorted(fixtures):
        with open(path, "rb") as handle:
            write(target, "fixture-" + os.path.relpath(path, FIXTURES).replace("/", "-"), handle.read())
    with open(os.path.join(FIXTURES, "merge", "one.yaml"), "rb") as one, open(os.path.join(FIXTURES, "merge", "two.yaml"), "rb") as two:
        write(target, "fixture-merge-one-two", one.read() + b"\n#~~~\n" + two.read())
    base = """apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: t
contexts:
- name: a
  context: {cluster: c, user: u, namespace: n}
"""
    write(target, "base", base)
    write(target, "duplicate-current-context", base + "current-context: b\n")
    write(target, "duplicate-keys-in-cluster", base.replace("server: https://127.0.0.1:6443", "server: https://one\n    server: https://two"))
    write(target, "duplicate-names", base + "- name: a\n  context: {cluster: c}\n")
    write(target, "merge-keys", "base: &b {server: https://x}\n" + base.replace("    server: https://127.0.0.1:6443", "    <<: *b"))
    write(target, "merge-two-files", base + "\n#~~~\n" + base.replace("current-context: a", "current-context: b").replace("name: a", "name: b"))
    write(target, "exec-user", base.replace("token: t", "exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, args: [a], env: [{name: N, value: V}], interactiveMode: Never}"))
    write(target, "client-cert", base.replace("token: t", "client-certificate: cert.pem\n    client-key-data: AAAA"))
    write(target, "token-file", base.replace("token: t", "tokenFile: ../token"))
    write(target, "extensions", base.replace("insecure-skip-tls-verify: true", "extensions: [{name: client.authentication.k8s.io/exec, extension: {a: [1, 2.5, true, null, x]}}]"))
    # Alias bombs: nested and wide.
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10))
    write(target, "alias-bomb", base + bomb)
    write(target, "alias-bomb-in-extension", base + "x: &x [y, y, y, y, y, y, y, y]\n" + "".join(
        f"x{i}: &x{i} [" + ", ".join(["*x" if i == 1 else f"*x{i - 1}"] * 8) + "]\n" for i in range(1, 8))
          .replace("&x1 [*x", "&x1 [*x") + "clusters: [{name: c, cluster: {server: https://x, extensions: [{name: client.authentication.k8s.io/exec, extension: *x7}]}}]\n")
    write(target, "many-anchors", "".join(f"k{i}: &a{i} v{i}\n" for i in range(5_000)) + "".join(f"r{i}: *a{i}\n" for i in range(5_000)))
    write(target, "undefined-alias", base + "x: *nowhere\n")
    write(target, "recursive-alias", "a: &a [*a]\n")
    # Nesting.
    write(target, "flow-nesting-100k", "clusters: " + "[" * 100_000 + "]" * 100_000 + "\n")
    write(target, "block-nesting-100k", "users:\n" + "- " * 100_000 + "x\n")
    write(target, "mapping-nesting-100k", "{a: " * 50_000 + "b" + "}" * 50_000)
    write(target, "indent-nesting", "".join(" " * d + "k:\n" for d in range(600)))
    write(target, "nesting-64", "a:\n" + "".join(" " * d + "- \n" for d in range(2, 64)))
    # Size.
    write(target, "wide-preferences", base + "preferences:\n" + "".join(f"  k{i}: v\n" for i in range(20_000)))
    write(target, "wide-duplicate-keys", base + "preferences:\n" + "".join("  k: v\n" for _ in range(20_000)))
    write(target, "long-sequence", base + "extra: [" + ",".join("x" for _ in range(50_000)) + "]\n")
    write(target, "long-scalar", base.replace("token: t", "token: " + "A" * 200_000))
    write(target, "long-quoted-scalar", base.replace("token: t", 'token: "' + "\\u00e9" * 30_000 + '"'))
    write(target, "long-key", base + "A" * 100_000 + ": x\n")
    write(target, "many-documents", base + "---\ncurrent-context: b\n" * 5_000)
    write(target, "many-clusters", base + "".join(f"- name: c{i}\n  cluster: {{server: https://h{i}}}\n" for i in range(3_000)))
    # Bytes.
    write(target, "invalid-utf8", base.encode() + b"x: \xff\xfe\xc3\x28\n")
    write(target, "nul", base.encode() + b"x: a\x00b\n")
    write(target, "utf16le-bom", b"\xff\xfe" + base.encode("utf-16-le"))
    write(target, "utf16be-bom", b"\xfe\xff" + base.encode("utf-16-be"))
    write(target, "utf8-bom", b"\xef\xbb\xbf" + base.encode())
    write(target, "control-characters", b"a: \x01\x02\x07\n")
    write(target, "lone-surrogate-escape", base + 'x: "\\ud800"\n')
    # Numbers and scalars of every type where a string, bool, list or mapping is expected.
    for index, number in enumerate(HUGE_NUMBERS + ["0x_", "0b", "0o9", "1:60", "1_000", ".inf", "-.Inf", ".nan", "+12e+", "~", "null", "yes", "off"]):
        write(target, f"scalar-{index:02d}", base.replace("namespace: n", f"namespace: {number}").replace("insecure-skip-tls-verify: true", f"insecure-skip-tls-verify: {number}"))
    for index, value in enumerate(["x", "1", "[]", "{}", "null", "[x]", "[[x]]", "{a: b}", "!!binary AAAA", "!custom x", "&a x", "|\n  x"]):
        for field in ["clusters", "users", "contexts", "current-context", "cluster", "user", "context", "server", "token", "name", "exec"]:
            if field in ("clusters", "users", "contexts", "current-context"):
                text = base + f"{field}: {value}\n"
            else:
                text = base.replace(f"  {field}:", f"  {field}: {value}\n  {field}_:", 1)
            write(target, f"type-{field}-{index:02d}", text)
    write(target, "empty", b"")
    write(target, "only-comment", b"# nothing\n")
    write(target, "not-a-mapping", b"- a\n- b\n")
    write(target, "kind-pod", b"kind: Pod\n")
    write(target, "complex-key", b"? [a, b]\n: c\n")


def exec_credential_seeds():
    target = "exec-credential"
    document = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                "status": {"token": "t", "expirationTimestamp": "2026-12-03T10:00:00Z"}}
    json_family(target, "token", document)
    json_family(target, "cert", {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                                 "status": {"clientCertificateData": "-----BEGIN CERTIFICATE-----", "clientKeyData": "-----BEGIN KEY-----"}})
    write(target, "yaml", "apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\nstatus:\n  token: t\n")
    write(target, "yaml-duplicate", "apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\nstatus: {token: a}\nstatus: {token: b}\n")
    write(target, "yaml-alias-bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(f"b{i}: &a{i} [" + ",".join(["*a" if i == 0 else f"*a{i - 1}"] * 10) + "]\n" for i in range(8)))
    for stamp in ["2026-12-03T10:00:00.123456789+05:30", "2026-02-30T10:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2026-12-03 10:00:00", ""]:
        write(target, f"stamp-{hashlib.sha1(stamp.encode()).hexdigest()[:8]}",
              json.dumps({**document, "status": {"token": "t", "expirationTimestamp": stamp}}))


def kubernetes_seeds():
    target = "kubernetes-json"
    meta = {"name": "demo", "namespace": "n", "uid": "u", "resourceVersion": "1", "creationTimestamp": "2026-12-03T10:00:00Z",
            "labels": {"a": "b"}, "annotations": {"last-used-key": "primary"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "y", "controller": True}]}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": {"value": "R2F0ZXdheUtleSB4"}, "immutable": False}
    container = {"name": "gw", "image": "mcr.microsoft.com/azure-api-management/gateway:v2",
                 "env": [{"name": "config.service.auth", "valueFrom": {"secretKeyRef": {"name": "gw-token", "key": "value"}}}],
                 "envFrom": [{"secretRef": {"name": "s"}, "configMapRef": {"name": "c"}}]}
    template = {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-03T10:00:00Z"}}, "spec": {"containers": [container]}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                  "spec": {"replicas": 2, "paused": False, "selector": {"matchLabels": {"a": "b"}}, "template": template},
                  "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                             "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "lastUpdateTime": "2026-12-03T10:00:00Z"}]}}
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
               "spec": {"schedule": "0 3 * * *", "timeZone": "Europe/Berlin", "suspend": False},
               "status": {"lastScheduleTime": "2026-12-03T03:00:00Z", "lastSuccessfulTime": "2026-12-03T03:01:00Z"}}
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "secrets \"x\" is forbidden", "reason": "Forbidden",
              "details": {"name": "x", "kind": "secrets", "causes": [{"reason": "FieldValueInvalid", "message": "m", "field": "f"}], "retryAfterSeconds": 1},
              "code": 403}
    pods = {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "1", "continue": ""},
            "items": [{"metadata": meta, "status": {"phase": "Running", "startTime": "2026-12-03T10:00:00Z"}}]}
    json_family(target, "secret", secret, prefix=bytes([0x00]))
    json_family(target, "deployment", deployment, prefix=bytes([0x10]))
    json_family(target, "cronjob", cronjob, prefix=bytes([0x40]))
    json_family(target, "status-403", status, prefix=bytes([0x06]))
    json_family(target, "status-404", {**status, "code": 404, "reason": "NotFound"}, prefix=bytes([0x57]))
    json_family(target, "pod-list", pods, prefix=bytes([0x60]))
    write(target, "secret-list", bytes([0x70]) + json.dumps({"items": [secret] * 50, "metadata": {}}).encode())
    write(target, "deployment-list", bytes([0x80]) + json.dumps({"items": [deployment] * 20, "metadata": {"continue": "x"}}).encode())
    write(target, "statefulset", bytes([0x20]) + json.dumps({**deployment, "kind": "StatefulSet", "spec": {**deployment["spec"], "updateStrategy": {"type": "OnDelete"}}}).encode())
    write(target, "daemonset", bytes([0x30]) + json.dumps({**deployment, "kind": "DaemonSet"}).encode())
    write(target, "event-list", bytes([0xD0]) + json.dumps({"items": [{"metadata": meta, "involvedObject": {"kind": "Secret", "name": "s"}, "reason": "TokenRotated", "type": "Normal", "count": 1}], "metadata": {}}).encode())
    write(target, "job-list", bytes([0xC0]) + json.dumps({"items": [{"metadata": meta, "status": {"succeeded": 1, "completionTime": "2026-12-03T10:00:00Z"}}], "metadata": {}}).encode())
    write(target, "not-json-html", bytes([0x05]) + b"<html><body>502 Bad Gateway</body></html>")


def arm_seeds():
    target = "arm"
    json_family(target, "generate-token", {"value": "gw&209001010000&c2lnbmF0dXJl"}, prefix=bytes([0x00]))
    json_family(target, "error-envelope", {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization",
                                                     "details": [{"code": "Inner", "message": "m"}]}}, prefix=bytes([0x06]))
    json_family(target, "not-found", {"error": {"code": "ResourceNotFound", "message": "The Resource 'Microsoft.ApiManagement/service/apim' under resource group 'rg' was not found"}}, prefix=bytes([0x07]))
    json_family(target, "gateway", {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/gateways/gw",
                                    "name": "gw", "properties": {"description": "d", "locationData": {"name": "n"}}}, prefix=bytes([0x80]))
    json_family(target, "gateway-list", {"value": [{"name": "gw", "properties": {}}], "nextLink": "https://management.azure.com/next"}, prefix=bytes([0xC0]))
    json_family(target, "service", {"name": "apim", "location": "westeurope", "properties": {"gatewayUrl": "https://apim.azure-api.net"}}, prefix=bytes([0xA0]))
    json_family(target, "keys", {"primary": "p", "secondary": "s"}, prefix=bytes([0xE0]))
    write(target, "generate-token-null", bytes([0x00]) + b'{"value":"null"}')
    write(target, "generate-token-prefixed", bytes([0x00]) + b'{"value":"GatewayKey gw&209001010000&c2ln"}')
    write(target, "next-link-away", bytes([0xC0]) + b'{"value":[],"nextLink":"https://evil.example/next"}')


def entra_seeds():
    target = "entra-token"
    json_family(target, "client-credentials", {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": "eyJ0"}, prefix=bytes([0x00]))
    json_family(target, "imds", {"access_token": "eyJ0", "client_id": "c", "expires_in": "3600", "expires_on": "1800003600",
                                 "resource": "https://management.azure.com/", "token_type": "Bearer"}, prefix=bytes([0x02]))
    json_family(target, "error", {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.",
                                  "error_codes": [7000215], "timestamp": "2026-12-03 10:00:00Z", "trace_id": "t", "correlation_id": "c"}, prefix=bytes([0x01]))


def gateway_token_seeds():
    target = "gateway-token"
    for index, token in enumerate([
        "gw&209001010000&c2lnbmF0dXJl", "GatewayKey gw&209001010000&c2lnbmF0dXJl", "GatewayKey GatewayKey gw&2090&x",
        "null", "undefined", "GatewayKey ", "", "  \n", "gw&&", "&&&", "gw&209013450000&x", "gw&20900101000&x", "gw&２０９００１０１００００&x",
        "gw&209001010000&" + "A" * 5_000, "g" * 300 + "&209001010000&x", "gw\u0000&209001010000&x", "gw&209002300000&x",
        "gw&999912312359&x", "gw&000001010000&x", "ǅ&209001010000&x", "gw&209001010000&x=y+z/_-",
    ]):
        write(target, f"token-{index:02d}", token)
    write(target, "invalid-utf8", b"gw&209001010000&\xff\xfe")


def duration_seeds():
    target = "duration"
    for index, text in enumerate(["90s", "15m", "12h", "10d", "1d12h", "1d12h30m15s", "0s", "999999999d", "1000000000d", "s", "1", "1x",
                                  "1h1d", "1d1d", " 7d ", "-5m", "+5m", "1.5h", "٣d", "１d", "1D", "", "d", "\u0000", "9" * 1_000 + "s"]):
        write(target, f"duration-{index:02d}", text)


def cron_seeds():
    target = "cron-schedule"
    for index, text in enumerate(["0 3 * * *", "*/15 * * * *", "0 9 * * MON-FRI", "@daily", "@every 1h", "@yearly", "@reboot",
                                  "CRON_TZ=Europe/Berlin 30 2 * * *", "TZ=America/St_Johns 30 2 * 3 SUN", "TZ= 0 0 * * *", "TZ=Local 0 0 * * *",
                                  "TZ=Nowhere/Zone 0 0 * * *", "CRON_TZ=", "0 0 29 2 *", "0 0 31 4 *", "0 0 30 2 *", "59 23 31 12 6",
                                  "0-59/7 0-23/5 1-31/3 1-12/2 0-6/4", "1,,2 * * * *", "*/0 * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                                  "* * * 13 *", "* * * * 7", "? ? ? ? ?", "5/10 * * * *", "a-b * * * *", "9999999999999999999 * * * *",
                                  "0 2 * * * *", "0 2 * *", "  0 2 * * *  ", "0 2 13 * 5", "30 2 * 3 0", "30 1 * 11 0", " @daily",
                                  "0 0 * JAN-DEC SUN-SAT", "0 0 * jan sun", "0-0/1 * * * *", "59-0 * * * *"]):
        for zone in (0, 1, 2):
            write(target, f"cron-{index:02d}-{zone}", bytes([zone]) + text.encode())


def azure_cli_seeds():
    target = "azure-cli"
    json_family(target, "new", {"accessToken": "eyJ0", "expiresOn": "2026-12-03 11:00:00.000000", "expires_on": 1800003600,
                                "subscription": "s", "tenant": "t", "tokenType": "Bearer"})
    json_family(target, "old", {"accessToken": "eyJ0", "expiresOn": "2026-12-03 11:00:00.123456", "tokenType": "Bearer"})
    for index, stamp in enumerate(["2026-03-08 02:30:00", "2026-11-01 01:30:00", "2026-02-30 10:00:00", "10:00", "2026-12-03 11:00:00.",
                                   "2026-12-03 11:00:00.9999999999999999999999", "99999-12-03 11:00:00"]):
        write(target, f"local-time-{index}", json.dumps({"accessToken": "eyJ0", "expiresOn": stamp}))
    write(target, "az-warning-text", b"WARNING: A new version of Azure CLI is available.\n{\"accessToken\": \"x\"}")


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    kubeconfig_seeds()
    exec_credential_seeds()
    kubernetes_seeds()
    arm_seeds()
    entra_seeds()
    gateway_token_seeds()
    duration_seeds()
    cron_seeds()
    azure_cli_seeds()
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, name)) for name in files)
        print(f"{target}: {len(files)} seeds, {size // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
