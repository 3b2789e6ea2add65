"""A small kustomize, enough for deploy/k8s (no kustomize binary is needed to test the manifests).

Supported, with kustomize v5's semantics: ``resources`` (files and kustomization directories),
``namespace``, ``labels`` (pairs, includeSelectors, includeTemplates), ``images`` (newName, newTag,
digest), ``patches`` (strategic-merge patches from files: maps merged, ``null`` deletes a key,
lists of containers/env/volumes/... merged by their key, other lists replaced) and
``configMapGenerator`` (files, literals, envs; behaviors create/merge/replace) with kustomize's
name-hash suffix (same hash as kustomize: ``-<10 chars>``) and the rewriting of every reference to a
generated ConfigMap (volumes, envFrom, env.valueFrom). Anything else in a kustomization raises, so
the renderer never silently ignores a feature the manifests start using.

deploy/tests/test_k8s.py compares this renderer with ``kubectl kustomize`` when kubectl is installed.
"""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches", "configMapGenerator"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass"}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
# strategic merge keys of the lists we patch (from the Kubernetes API's patchMergeKey)
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "imagePullSecrets": "name", "envFrom": None,
              "tolerations": None, "topologySpreadConstraints": None}
PORTS_KEY = {"Service": "port"}


class KustomizeError(Exception):
    pass


def _load_docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _go_json(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def configmap_hash(cm: dict) -> str:
    """kustomize's suffix: sha256 of {"data", "kind", "name": ""} in Go's JSON, 10 hex chars re-lettered."""
    encoded = {"kind": "ConfigMap", "name": "", "data": cm.get("data") or {}}
    if cm.get("binaryData"):
        encoded["binaryData"] = cm["binaryData"]
    digest = hashlib.sha256(_go_json(encoded).encode()).hexdigest()
    return "".join({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}.get(c, c) for c in digest[:10])


def _key(res: dict) -> tuple:
    return res["kind"], res["metadata"].get("namespace"), res["metadata"]["name"]


# -- strategic merge -----------------------------------------------------------------------------

def strategic_merge(target, patch, field: str | None = None, kind: str | None = None):
    if isinstance(patch, dict):
        if "$patch" in patch:
            raise KustomizeError(f"$patch directives are not supported ({field})")
        if not isinstance(target, dict):
            return {k: v for k, v in copy.deepcopy(patch).items() if v is not None}
        out = dict(target)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = strategic_merge(out[k], v, k, kind)
            else:
                out[k] = strategic_merge(None, v, k, kind) if isinstance(v, dict) else copy.deepcopy(v)
        return out
    if isinstance(patch, list):
        key = MERGE_KEYS.get(field)
        if field == "ports":
            key = PORTS_KEY.get(kind, "containerPort")
        if key and isinstance(target, list) and all(isinstance(p, dict) and key in p for p in patch):
            out = [copy.deepcopy(t) for t in target]
            added = []
            for item in patch:
                for i, existing in enumerate(out):
                    if isinstance(existing, dict) and existing.get(key) == item[key]:
                        out[i] = strategic_merge(existing, item, field, kind)
                        break
                else:
                    added.append(copy.deepcopy(item))
            return added + out  # kustomize (kyaml) puts elements only in the patch first
        return copy.deepcopy(patch)
    return patch


# -- transformers ----------------------------------------------------------------------------------

def _pod_specs(res: dict):
    if res["kind"] in WORKLOADS:
        yield res["spec"]["template"]["spec"]
    elif res["kind"] == "CronJob":
        yield res["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    elif res["kind"] == "Pod":
        yield res["spec"]


def _containers(res: dict):
    for spec in _pod_specs(res):
        for group in ("initContainers", "containers"):
            yield from spec.get(group) or []


def apply_images(resources: list[dict], images: list[dict]):
    for res in resources:
        for c in _containers(res):
            image = c.get("image", "")
            name, tag, digest = image, None, None
            if "@" in name:
                name, digest = name.split("@", 1)
            elif ":" in name.rsplit("/", 1)[-1]:
                name, tag = name.rsplit(":", 1)
            for rule in images:
                if rule["name"] != name:
                    continue
                new_name = rule.get("newName", name)
                if rule.get("digest"):
                    c["image"] = f"{new_name}@{rule['digest']}"
                elif rule.get("newTag"):
                    c["image"] = f"{new_name}:{rule['newTag']}"
                else:
                    c["image"] = new_name + (f":{tag}" if tag else f"@{digest}" if digest else "")


def apply_labels(resources: list[dict], labels: list[dict]):
    for spec in labels:
        pairs = spec.get("pairs") or {}
        for res in resources:
            res["metadata"].setdefault("labels", {}).update(pairs)
            if spec.get("includeTemplates") or spec.get("includeSelectors"):
                if res["kind"] in WORKLOADS:
                    res["spec"]["template"].setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
                if res["kind"] == "StatefulSet":  # its volume claims are templates too
                    for claim in res["spec"].get("volumeClaimTemplates") or []:
                        claim.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            if spec.get("includeSelectors"):
                if res["kind"] in WORKLOADS:
                    res["spec"].setdefault("selector", {}).setdefault("matchLabels", {}).update(pairs)
                elif res["kind"] == "Service":
                    res["spec"].setdefault("selector", {}).update(pairs)


def apply_namespace(resources: list[dict], namespace: str):
    for res in resources:
        if res["kind"] not in CLUSTER_SCOPED:
            res["metadata"]["namespace"] = namespace


def apply_patches(root: Path, resources: list[dict], patches: list[dict]):
    for entry in patches:
        if set(entry) - {"path"}:
            raise KustomizeError(f"only file patches are supported: {entry}")
        for patch in _load_docs(root / entry["path"]):
            name = patch["metadata"]["name"]
            matches = [r for r in resources if r["kind"] == patch["kind"] and r["metadata"]["name"] == name]
            if len(matches) != 1:
                raise KustomizeError(f"patch {entry['path']}: {patch['kind']}/{name} matches {len(matches)} resources")
            res = matches[0]
            body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")}
            meta = {k: v for k, v in patch["metadata"].items() if k not in ("name", "namespace")}
            merged = strategic_merge(res, {**body, "metadata": meta} if meta else body, None, res["kind"])
            res.clear()
            res.update(merged)


def generate_configmaps(root: Path, resources: list[dict], generators: list[dict]):
    for gen in generators:
        unknown = set(gen) - {"name", "files", "literals", "envs", "behavior", "options"}
        if unknown:
            raise KustomizeError(f"configMapGenerator {gen['name']}: unsupported {unknown}")
        data: dict[str, str] = {}
        for f in gen.get("files") or []:
            key, _, rel = f.partition("=") if "=" in f else (Path(f).name, "", f)
            path = (root / rel).resolve()
            if not path.is_relative_to(root.resolve()):
                raise KustomizeError(f"{f}: files must be inside the kustomization directory")
            data[key] = path.read_text()
        for lit in gen.get("literals") or []:
            k, _, v = lit.partition("=")
            data[k] = v
        for env_file in gen.get("envs") or []:
            for line in (root / env_file).read_text().splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    k, _, v = line.partition("=")
                    data[k.strip()] = v
        behavior = gen.get("behavior", "create")
        existing = [r for r in resources if r["kind"] == "ConfigMap" and r["metadata"]["name"] == gen["name"]]
        if behavior == "create":
            if existing:
                raise KustomizeError(f"ConfigMap {gen['name']} already exists (use behavior: merge)")
            resources.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": gen["name"]},
                              "data": data, "__generated__": True})
        elif behavior in ("merge", "replace"):
            if len(existing) != 1:
                raise KustomizeError(f"ConfigMap {gen['name']} to {behavior} not found")
            cm = existing[0]
            cm["data"] = {**(cm.get("data") or {}), **data} if behavior == "merge" else data
        else:
            raise KustomizeError(f"unknown behavior {behavior}")


# -- build -----------------------------------------------------------------------------------------

def _build(root: Path) -> list[dict]:
    path = root / "kustomization.yaml"
    if not path.exists():
        raise KustomizeError(f"{root} has no kustomization.yaml")
    k = yaml.safe_load(path.read_text()) or {}
    unsupported = set(k) - SUPPORTED
    if unsupported:
        raise KustomizeError(f"{path}: unsupported fields {sorted(unsupported)}")
    resources: list[dict] = []
    for entry in k.get("resources") or []:
        target = (root / entry)
        if target.is_dir():
            resources.extend(_build(target))
        else:
            resources.extend(copy.deepcopy(_load_docs(target)))
    generate_configmaps(root, resources, k.get("configMapGenerator") or [])
    seen = set()
    for res in resources:
        key = _key(res)
        if key in seen:
            raise KustomizeError(f"duplicate resource {key}")
        seen.add(key)
    apply_patches(root, resources, k.get("patches") or [])
    if k.get("namespace"):
        apply_namespace(resources, k["namespace"])
    apply_labels(resources, k.get("labels") or [])
    apply_images(resources, k.get("images") or [])
    return resources


def _rename_references(resources: list[dict], renames: dict[tuple, str]):
    def new(ns, name):
        return renames.get((ns, name), name)

    for res in resources:
        ns = res["metadata"].get("namespace")
        for spec in _pod_specs(res):
            for vol in spec.get("volumes") or []:
                if "configMap" in vol:
                    vol["configMap"]["name"] = new(ns, vol["configMap"]["name"])
                for src in (vol.get("projected") or {}).get("sources") or []:
                    if "configMap" in src:
                        src["configMap"]["name"] = new(ns, src["configMap"]["name"])
            for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
                for ef in c.get("envFrom") or []:
                    if "configMapRef" in ef:
                        ef["configMapRef"]["name"] = new(ns, ef["configMapRef"]["name"])
                for e in c.get("env") or []:
                    ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                    if ref:
                        ref["name"] = new(ns, ref["name"])


def build(root: str | Path) -> list[dict]:
    """Render the kustomization in ``root`` into a list of resources (like ``kustomize build``)."""
    resources = _build(Path(root))
    renames = {}
    for res in resources:
        if res.pop("__generated__", False):
            old = res["metadata"]["name"]
            res["metadata"]["name"] = f"{old}-{configmap_hash(res)}"
            renames[(res["metadata"].get("namespace"), old)] = res["metadata"]["name"]
    _rename_references(resources, renames)
    return resources
