"""Reading and validating deploy/k8s: its objects as kustomize renders them (what
``kubectl apply -k deploy/k8s`` applies; kustomize is built by tt.devenv.install), the
Kubernetes schemas of ``kubernetes-validate``
for built-in kinds, and for Traefik's kinds the openAPIV3Schema of Traefik's own
CustomResourceDefinitions (printed by deploy/k8s/crd-schemas from the
``k8s-crds-traefik`` crate, which is generated from Traefik's CRDs)."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
CRD_PROGRAM = K8S / "crd-schemas"
# Outside the checkout, so a fresh clone on the same machine (CI) reuses the Rust build.
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tt"
KUBERNETES_VERSION = "1.34"

Doc = dict[str, Any]


def manifest_files() -> list[Path]:
    # kustomization.yaml files are kustomize's, not Kubernetes objects.
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> Iterator[Doc]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            yield doc


@functools.cache
def _rendered() -> str:
    from tt.devenv.install import ensure_kustomize

    result = subprocess.run(
        [str(ensure_kustomize()), "build", str(K8S)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def all_documents() -> list[Doc]:
    """Every object ``kubectl apply -k deploy/k8s`` applies (a fresh copy each call)."""
    return [doc for doc in yaml.safe_load_all(_rendered()) if doc]


def where(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def traefik_crds() -> dict[str, Doc]:
    """Traefik's IngressRoute and Middleware CRDs by kind, built once and cached."""
    digest = hashlib.sha256(
        (CRD_PROGRAM / "Cargo.lock").read_bytes() + (CRD_PROGRAM / "src" / "main.rs").read_bytes()
    ).hexdigest()[:12]
    cached = CACHE / f"traefik-crds-{digest}.json"
    if not cached.exists():
        cargo = shutil.which("cargo")
        assert cargo, "cargo (Rust) is needed to print Traefik's CRD schemas"
        result = subprocess.run(
            [
                cargo,
                "run",
                "--quiet",
                "--release",
                "--locked",
                "--manifest-path",
                str(CRD_PROGRAM / "Cargo.toml"),
                "--target-dir",
                str(CACHE / "crd-schemas-target"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(result.stdout)
    crds = json.loads(cached.read_text())
    return {crd["spec"]["names"]["kind"]: crd for crd in crds}


def strict_schema(schema: Any) -> Any:
    """A CRD's structural schema as JSON Schema, refusing unknown fields the way the API
    server's strict field validation does (``kubectl apply --validate=strict``)."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.pop("x-kubernetes-int-or-string", False):
            node.pop("type", None)
            node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        preserve = node.pop("x-kubernetes-preserve-unknown-fields", False)
        if "properties" in node and "additionalProperties" not in node and not preserve:
            node["additionalProperties"] = False
        for value in node.values():
            walk(value)

    walk(schema)
    return schema


def validate(doc: Doc, crds: dict[str, Doc]) -> None:
    """Raise if ``doc`` does not match its schema."""
    if doc["apiVersion"].startswith("traefik.io/"):
        crd = crds[doc["kind"]]
        wanted = doc["apiVersion"].split("/")[1]
        (version,) = [v for v in crd["spec"]["versions"] if v["name"] == wanted]
        schema = strict_schema(version["schema"]["openAPIV3Schema"])
        # Every object's envelope (the API server checks these, not the CRD's schema).
        schema["properties"] |= {
            "apiVersion": {"const": f"{crd['spec']['group']}/{wanted}"},
            "kind": {"const": crd["spec"]["names"]["kind"]},
            "metadata": {"type": "object"},
        }
        schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
        jsonschema.Draft202012Validator(schema).validate(doc)
        return
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
