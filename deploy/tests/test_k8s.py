"""deploy/k8s rendered by ``kubectl kustomize`` (the real kustomize; deploy/tests/kustomize.py, a Python
renderer kept equal to it by test_renderer_agrees_with_kubectl_kustomize, only where kubectl is not
installed: no package registry this project uses ships a kustomize v5 for it), validated against the
Kubernetes JSON schemas (kubernetes-validate, offline, strict: unknown fields fail) and checked for meaning:
probes, resources, non-root, labels = directory names, selectors, autoscaling targets, Secret keys, images.
KEDA's resources (ScaledObject, TriggerAuthentication) are custom kinds kubernetes-validate has no schema
for: their fields that matter are checked by test_every_service_scales_on_its_queue_depth_with_keda.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.tests import envscan, kustomize

ROOT = envscan.ROOT
K8S = ROOT / "deploy" / "k8s"
SERVICES = envscan.SERVICES
OVERLAYS = ("base", "overlays/dev", "overlays/prod")
K8S_VERSION = "1.30.0"
POLICY_SOURCE = ROOT / "services/perimeter/src/perimeter_service/policy/perimeter.rego"
DEV_SECRET = K8S / "overlays/dev/secret.yaml"
APPS = set(SERVICES) | {"gateway", "web", "opa"}
DEV_INFRA = {"postgres", "mailpit"}  # throw-away infrastructure of the dev overlay only
CUSTOM_KINDS = {"ScaledObject", "TriggerAuthentication"}  # KEDA's, validated by the tests below


def render(overlay: str) -> list[dict]:
    """The overlay as ``kubectl kustomize`` renders it, or as deploy/tests/kustomize.py does without kubectl."""
    if shutil.which("kubectl") is None:
        return kustomize.build(K8S / overlay)
    result = subprocess.run(["kubectl", "kustomize", str(K8S / overlay)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return [r for r in yaml.safe_load_all(result.stdout) if r]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request):
    return request.param, render(request.param)


def workloads(resources):
    """Deployments and StatefulSets (RabbitMQ), by name."""
    return {**by_kind(resources, "Deployment"), **by_kind(resources, "StatefulSet")}


def by_kind(resources, kind):
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def pod_spec(dep):
    return dep["spec"]["template"]["spec"]


def all_containers(dep):
    spec = pod_spec(dep)
    return [*(spec.get("initContainers") or []), *spec["containers"]]


def test_policy_copy_equals_the_source():
    copy = K8S / "base/policy/perimeter.rego"
    assert copy.read_text() == POLICY_SOURCE.read_text(), (
        "deploy/k8s/base/policy/perimeter.rego differs from the perimeter service's policy: "
        f"cp {POLICY_SOURCE.relative_to(ROOT)} {copy.relative_to(ROOT)}")


def test_every_manifest_matches_the_kubernetes_schema(rendered):
    import kubernetes_validate
    name, resources = rendered
    assert resources
    errors = []
    for res in resources:
        if res["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(res, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{res['kind']}/{res['metadata']['name']}: {'.'.join(map(str, exc.path))}: {exc.message}")
    assert not errors, f"{name}:\n" + "\n".join(errors)


def test_one_deployment_per_service_with_its_name_as_app_label(rendered):
    overlay, resources = rendered
    deployments = by_kind(resources, "Deployment")
    assert set(deployments) == (APPS | DEV_INFRA if overlay == "overlays/dev" else APPS)
    for name, dep in deployments.items():
        assert dep["metadata"]["labels"]["app"] == name
        selector = dep["spec"]["selector"]["matchLabels"]
        assert selector == {"app": name}
        template_labels = dep["spec"]["template"]["metadata"]["labels"]
        assert template_labels.items() >= selector.items()
        assert template_labels["app"] == name
        if name in SERVICES:
            assert (ROOT / "services" / name).is_dir(), f"app label {name} is not a services/ directory"


def test_deployments_have_probes_resources_and_run_as_non_root(rendered):
    _, resources = rendered
    for name, dep in workloads(resources).items():
        spec = pod_spec(dep)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"].get("runAsUser", 1) != 0, name
        for c in all_containers(dep):
            where = f"{name}/{c['name']}"
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(res.get(part) or {}), f"{where} lacks {part}"
            sc = c.get("securityContext") or {}
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert "ALL" in (sc.get("capabilities") or {}).get("drop", []), where
            if name in APPS:  # third-party images of the dev infrastructure write to their root fs
                assert sc.get("readOnlyRootFilesystem") is True, where
        for c in spec["containers"]:
            assert c.get("readinessProbe") and c.get("livenessProbe"), f"{name}/{c['name']} lacks probes"


def test_services_run_their_module_with_migrations_first(rendered):
    _, resources = rendered
    deployments = by_kind(resources, "Deployment")
    for name in SERVICES:
        spec = pod_spec(deployments[name])
        (main,) = spec["containers"]
        assert main["name"] == name
        assert main["command"] == ["python", "-m", "paraph_platform.run", name]
        (init,) = spec["initContainers"]
        assert init["command"] == ["python", "-m", "paraph_platform.run", name, "--migrate-only"]
        assert init["image"] == main["image"]
        health = ["python", "-m", "paraph_platform.health", name]
        assert main["readinessProbe"]["exec"]["command"] == health
        assert main["livenessProbe"]["exec"]["command"][:4] == health
        env = {e["name"]: e for e in main["env"]}
        own_database = f"{name.upper()}_DATABASE_URL"
        assert env[own_database]["valueFrom"]["secretKeyRef"] == {"name": f"paraph-{name}-secrets", "key": own_database}
        assert "AMQP_URI" in env
        # the writable paths of a read-only root filesystem
        mounts = {m["mountPath"] for m in main["volumeMounts"]}
        assert {"/tmp", "/var/lib/paraph"} <= mounts
    gateway = pod_spec(deployments["gateway"])["containers"][0]
    assert gateway["command"] == ["gunicorn", "-c", "gateway/gunicorn.conf.py"]
    web = pod_spec(deployments["web"])["containers"][0]
    assert web["command"] == ["gunicorn", "-c", "web/gunicorn.conf.py"]


def test_perimeter_uses_opa_with_the_policy_from_the_configmap(rendered):
    _, resources = rendered
    deployments = by_kind(resources, "Deployment")
    env = {e["name"]: e.get("value") for e in pod_spec(deployments["perimeter"])["containers"][0]["env"]}
    assert env["OPA_URL"] == "http://opa:8181" and env["OPA_MANAGED_POLICY"] == "1"
    opa = pod_spec(deployments["opa"])
    container = opa["containers"][0]
    assert container["args"][:2] == ["run", "--server"]
    (mount,) = container["volumeMounts"]
    policy_path = container["args"][-1]
    assert policy_path.startswith(mount["mountPath"] + "/")
    volume = next(v for v in opa["volumes"] if v["name"] == mount["name"])
    configmaps = by_kind(resources, "ConfigMap")
    cm = configmaps[volume["configMap"]["name"]]
    assert cm["metadata"]["name"].startswith("opa-policy-")  # hash suffix: a new policy rolls OPA
    assert cm["data"][Path(policy_path).name] == POLICY_SOURCE.read_text()
    service = by_kind(resources, "Service")["opa"]
    assert service["spec"]["ports"][0]["port"] == 8181


def test_services_ingress_hpa_and_pdb_point_at_real_things(rendered):
    _, resources = rendered
    deployments = by_kind(resources, "Deployment")
    services = by_kind(resources, "Service")
    for name, svc in services.items():
        selector = svc["spec"]["selector"]
        matching = [d for d in workloads(resources).values()
                    if d["spec"]["template"]["metadata"]["labels"].items() >= selector.items()]
        assert matching, f"Service {name} selects no pods"
        ports = {p["name"] for d in matching for c in pod_spec(d)["containers"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if isinstance(p["targetPort"], str):
                assert p["targetPort"] in ports, f"Service {name}: no container port named {p['targetPort']}"
    for name, ing in by_kind(resources, "Ingress").items():
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] in services, f"Ingress {name} -> unknown Service {backend['name']}"
                port_names = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in port_names
    hpas = by_kind(resources, "HorizontalPodAutoscaler")
    # the gateway and web on CPU; the services through KEDA, which makes their HPA (two would fight)
    assert set(hpas) == {"gateway", "web"}
    for name, hpa in hpas.items():
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments, f"HPA {name} has no target"
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        for c in pod_spec(deployments[ref["name"]])["containers"]:
            assert "cpu" in c["resources"]["requests"], f"HPA {name}: CPU utilisation needs CPU requests"
    pdbs = by_kind(resources, "PodDisruptionBudget")
    missing = set(workloads(resources)) - DEV_INFRA - set(pdbs)
    assert not missing, f"no PodDisruptionBudget for {sorted(missing)}"
    for name, pdb in pdbs.items():
        sel = pdb["spec"]["selector"]["matchLabels"]
        targets = [d for d in workloads(resources).values()
                   if d["spec"]["template"]["metadata"]["labels"].items() >= sel.items()]
        assert targets, f"PDB {name} selects no pods"
        min_available = pdb["spec"].get("minAvailable")
        if isinstance(min_available, int):
            replicas = targets[0]["spec"].get("replicas", 1)
            floor = hpas[name]["spec"]["minReplicas"] if name in hpas else replicas
            assert min_available < min(replicas, floor), f"PDB {name} would block every voluntary disruption"


def declared_secret_keys(resources) -> dict[str, set[str]]:
    secrets = by_kind(resources, "Secret")
    if not secrets:  # prod: created out of band with the keys of the dev Secret
        secrets = {d["metadata"]["name"]: d for d in yaml.safe_load_all(DEV_SECRET.read_text()) if d}
    return {name: set(s.get("stringData") or {}) | set(s.get("data") or {}) for name, s in secrets.items()}


def test_every_secret_and_configmap_reference_resolves(rendered):
    overlay, resources = rendered
    secrets = declared_secret_keys(resources)
    configmaps = by_kind(resources, "ConfigMap")
    for name, dep in workloads(resources).items():
        for c in all_containers(dep):
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secrets, f"{name}: unknown Secret {ref['name']}"
                    assert ref["key"] in secrets[ref["name"]], f"{name}: Secret {ref['name']} has no key {ref['key']}"
                ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                if ref:
                    assert ref["key"] in configmaps[ref["name"]]["data"]
            for ef in c.get("envFrom") or []:
                if "configMapRef" in ef:
                    assert ef["configMapRef"]["name"] in configmaps, f"{name}: unknown ConfigMap"
                if "secretRef" in ef:
                    assert ef["secretRef"]["name"] in secrets
        for v in pod_spec(dep).get("volumes") or []:
            if "configMap" in v:
                assert v["configMap"]["name"] in configmaps
    if overlay == "overlays/prod":
        assert not by_kind(resources, "Secret"), "production secrets must not be rendered from the repository"


def test_configured_variables_are_read_by_the_code(rendered):
    """A variable set by the manifests that no code reads (nor .env.example documents, for services
    still being written: notify's SMTP_URL) is a typo or dead configuration."""
    from deploy.tests.test_compose import env_example
    _, resources = rendered
    known = set(envscan.all_reads()) | set(env_example())
    names = set()
    for cm in by_kind(resources, "ConfigMap").values():
        if cm["metadata"]["name"].startswith("paraph-config"):
            names |= set(cm["data"])
    for name, dep in by_kind(resources, "Deployment").items():
        if name not in APPS:
            continue
        for c in all_containers(dep):
            names |= {e["name"] for e in c.get("env") or []}
    assert names - known == set(), f"set but never read: {sorted(names - known)}"


def test_images(rendered):
    overlay, resources = rendered
    for name, dep in by_kind(resources, "Deployment").items():
        for c in all_containers(dep):
            image = c["image"]
            if name not in APPS - {"opa"}:  # third-party images: pinned tags
                assert ":" in image and not image.endswith(":latest"), image
                continue
            if overlay == "base":
                assert image == f"paraph/{name}"
            elif overlay == "overlays/dev":
                assert image == f"paraph/{name}:dev"
            else:
                assert image.startswith(f"registry.example.com/paraph/{name}:") and not image.endswith(":latest")


def test_namespaces(rendered):
    overlay, resources = rendered
    if overlay == "base":
        return
    expected = {"overlays/dev": "paraph-dev", "overlays/prod": "paraph"}[overlay]
    for res in resources:
        if res["kind"] == "Namespace":
            assert res["metadata"]["name"] == expected
        else:
            assert res["metadata"]["namespace"] == expected, res["metadata"]["name"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed (the Python renderer is used)")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_agrees_with_kubectl_kustomize(overlay):
    result = subprocess.run(["kubectl", "kustomize", str(K8S / overlay)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and "kustomize" in result.stderr and "unknown command" in result.stderr:
        pytest.skip("this kubectl has no kustomize")
    assert result.returncode == 0, result.stderr
    theirs = {kustomize._key(r): r for r in yaml.safe_load_all(result.stdout) if r}
    ours = {kustomize._key(r): r for r in kustomize.build(K8S / overlay)}
    assert set(ours) == set(theirs)
    for key in theirs:
        assert ours[key] == theirs[key], f"{key} differs from kubectl kustomize"


def test_renderer_strategic_merge_semantics():
    target = {"spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}],
                       "minAvailable": 1, "rules": [1, 2]}}
    patch = {"spec": {"containers": [{"name": "a", "env": [{"name": "Y", "value": "2"}]}, {"name": "b"}],
                      "minAvailable": None, "rules": [3]}}
    merged = kustomize.strategic_merge(target, patch)
    assert merged["spec"]["containers"][1]["env"] == [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]
    assert merged["spec"]["containers"][0] == {"name": "b"}
    assert "minAvailable" not in merged["spec"] and merged["spec"]["rules"] == [3]
    assert kustomize.configmap_hash({"data": {"A": "1"}}) == "89g4tffbfk"  # as kustomize v5 names it


# -- each secret only where it is used; pods without API credentials; network policies -----------------

def test_each_app_reads_only_its_own_secret_and_only_secrets_its_code_reads(rendered):
    overlay, resources = rendered
    for name, dep in by_kind(resources, "Deployment").items():
        if name not in envscan.APPS:
            continue
        for c in all_containers(dep):
            assert not any("secretRef" in ef for ef in c.get("envFrom") or []), f"{name}: a whole Secret in envFrom"
            refs = {(e.get("valueFrom") or {}).get("secretKeyRef", {}).get("name") for e in c.get("env") or []}
            assert refs - {None} <= {f"paraph-{name}-secrets"}, f"{name}/{c['name']} reads another app's Secret"
            given = {e["name"] for e in c.get("env") or []}
            misplaced = envscan.misplaced_secrets(name, given)
            assert not misplaced, f"{name}/{c['name']} is given secrets its code does not read: {misplaced}"
    if overlay == "overlays/dev":  # and each Secret holds only what its app reads
        for secret_name, keys in declared_secret_keys(resources).items():
            app = secret_name.removeprefix("paraph-").removesuffix("-secrets")
            if app in envscan.APPS:
                assert not envscan.misplaced_secrets(app, keys), f"{secret_name}: {envscan.misplaced_secrets(app, keys)}"


def test_no_pod_mounts_a_service_account_token(rendered):
    _, resources = rendered
    for name, dep in workloads(resources).items():
        assert pod_spec(dep).get("automountServiceAccountToken") is False, name


PRIVATE_RANGES = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"}


def egress_kind(rule: dict) -> str:
    """What an egress rule opens, in the words of network-policies.yaml."""
    ports = {p["port"] for p in rule.get("ports") or []}
    peers = rule.get("to") or []
    if ports == {53}:
        assert all(p.get("podSelector") == {"matchLabels": {"k8s-app": "kube-dns"}} for p in peers), rule
        return "dns"
    if ports in ({5672, 5671}, {5432}):
        return "broker" if 5672 in ports else "database"
    if peers and all("ipBlock" in p for p in peers):
        for peer in peers:
            block = peer["ipBlock"]
            if block["cidr"] == "0.0.0.0/0":
                assert PRIVATE_RANGES <= set(block.get("except") or []), f"internet egress reaches private ranges: {rule}"
        return "internet"
    (peer,) = peers
    return peer["podSelector"]["matchLabels"]["app"]


EGRESS = {"identity": {"dns", "broker", "database"}, "perimeter": {"dns", "broker", "database", "opa"},
          "contracts": {"dns", "broker", "database"}, "signing": {"dns", "broker", "database"},
          "portal": {"dns", "broker", "database"}, "notify": {"dns", "broker", "database", "internet"},
          "gateway": {"dns", "broker"}, "web": {"dns", "gateway"}, "opa": set()}
DEV_EGRESS = {"notify": {"mailpit"}}  # the dev overlay's in-cluster mail sink


def test_network_policies_allow_each_app_only_what_it_uses(rendered):
    overlay, resources = rendered
    policies = by_kind(resources, "NetworkPolicy").values()
    for app, expected in EGRESS.items():
        selecting = [p for p in policies if p["spec"]["podSelector"] == {"matchLabels": {"app": app}}]
        egress = [p for p in selecting if "Egress" in p["spec"]["policyTypes"]]
        ingress = [p for p in selecting if "Ingress" in p["spec"]["policyTypes"]]
        assert egress and ingress, f"{app}: no default-deny NetworkPolicy (Ingress and Egress)"
        opened = {egress_kind(rule) for p in egress for rule in p["spec"].get("egress") or []}
        if overlay == "overlays/dev":
            expected = expected | DEV_EGRESS.get(app, set())
        assert opened == expected, f"{app}: egress to {sorted(opened)}, expected {sorted(expected)}"
        sources = [rule for p in ingress for rule in p["spec"].get("ingress") or []]
        from_ingress = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]
        if app == "gateway":  # browsers and API clients through the ingress, and the web app
            assert [(r["from"], r["ports"]) for r in sources] == [
                (from_ingress, [{"port": 8000, "protocol": "TCP"}]),
                ([{"podSelector": {"matchLabels": {"app": "web"}}}], [{"port": 8000, "protocol": "TCP"}])]
        elif app == "web":
            assert [(r["from"], r["ports"]) for r in sources] == [(from_ingress, [{"port": 8080, "protocol": "TCP"}])]
        elif app == "opa":
            assert [r["from"] for r in sources] == [[{"podSelector": {"matchLabels": {"app": "perimeter"}}}]]
        else:
            assert not sources, f"{app} listens on nothing: no ingress rule"


# -- RabbitMQ cluster and autoscaling ---------------------------------------------------------------------

def test_rabbitmq_is_a_three_node_cluster_every_app_reaches_by_its_three_urls(rendered):
    overlay, resources = rendered
    (broker,) = by_kind(resources, "StatefulSet").values()
    spec = broker["spec"]
    assert broker["metadata"]["name"] == "rabbitmq" and spec["replicas"] == 3
    headless = by_kind(resources, "Service")[spec["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    (container,) = pod_spec(broker)["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["RABBITMQ_NODENAME"]["value"] == f"rabbit@$(POD_NAME).{spec['serviceName']}"
    assert env["RABBITMQ_ERLANG_COOKIE"]["valueFrom"]["secretKeyRef"] == {
        "name": "paraph-rabbitmq-secrets", "key": "RABBITMQ_ERLANG_COOKIE"}
    nodes = [f"rabbitmq-{i}.{spec['serviceName']}" for i in range(3)]
    # peer discovery lists exactly the StatefulSet's pods
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"].startswith("/etc/rabbitmq/conf.d/")]
    volume = next(v for v in pod_spec(broker)["volumes"] if v["name"] == mount["name"])
    conf = by_kind(resources, "ConfigMap")[volume["configMap"]["name"]]["data"][mount["subPath"]]
    settings = dict(line.split(" = ", 1) for line in conf.splitlines() if line and not line.startswith("#"))
    assert settings["cluster_formation.peer_discovery_backend"] == "classic_config"
    assert sorted(v for k, v in settings.items() if ".classic_config.nodes." in k) == [f"rabbit@{n}" for n in nodes]
    assert by_kind(resources, "PodDisruptionBudget")["rabbitmq"]["spec"]["maxUnavailable"] == 1  # keeps 2 of 3
    config = next(cm for name, cm in by_kind(resources, "ConfigMap").items() if name.startswith("paraph-config"))
    assert config["data"]["AMQP_QUEUE_TYPE"] == "quorum"
    if overlay == "overlays/dev":  # each app's broker URL lists the three nodes, in the order of the pods
        for secret_name, secret in by_kind(resources, "Secret").items():
            uri = (secret.get("stringData") or {}).get("AMQP_URI")
            if uri is not None:
                hosts = [url.split("@", 1)[1].split(":", 1)[0] for url in uri.split(";")]
                assert hosts == nodes, f"{secret_name}: AMQP_URI lists {hosts}"


def test_every_service_scales_on_its_queue_depth_with_keda(rendered):
    overlay, resources = rendered
    deployments = by_kind(resources, "Deployment")
    scaled = by_kind(resources, "ScaledObject")
    auths = by_kind(resources, "TriggerAuthentication")
    secrets = declared_secret_keys(resources)
    assert set(scaled) == set(SERVICES)
    for name, obj in scaled.items():
        assert obj["apiVersion"] == "keda.sh/v1alpha1"
        spec = obj["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert name in deployments
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        if overlay == "overlays/prod":
            assert spec["minReplicaCount"] >= 2, f"{name}: production keeps two pods"
        queue_triggers = [tr for tr in spec["triggers"] if tr["type"] == "rabbitmq"]
        assert len(queue_triggers) == 1, name
        (trigger,) = queue_triggers
        assert trigger["metadata"]["queueName"] == f"rpc-{name}"
        assert trigger["metadata"]["mode"] == "QueueLength" and int(trigger["metadata"]["value"]) > 0
        assert trigger["metadata"]["protocol"] == "amqp"
        assert "host" not in trigger["metadata"], "the broker URL holds a password: from a Secret only"
        auth = auths[trigger["authenticationRef"]["name"]]
        assert auth["apiVersion"] == "keda.sh/v1alpha1"
        for ref in auth["spec"]["secretTargetRef"]:
            assert ref["parameter"] == "host"
            assert ref["key"] in secrets[ref["name"]], f"TriggerAuthentication: no key {ref['key']} in {ref['name']}"
        for tr in spec["triggers"]:
            assert tr["type"] in ("rabbitmq", "cpu"), tr
            if tr["type"] == "cpu":  # KEDA's cpu trigger needs CPU requests on every container
                for c in pod_spec(deployments[name])["containers"]:
                    assert "cpu" in c["resources"]["requests"], name
