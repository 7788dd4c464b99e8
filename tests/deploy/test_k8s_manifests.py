"""deploy/k8s, as kustomize renders it: every object matches its schema (Kubernetes' own,
or Traefik's CRDs for IngressRoute and Middleware), each service has what the issue asks
for, and the gateway resources say what gateway/dynamic says. No cluster or Docker needed."""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from support.k8s import (
    K8S,
    REPO,
    Doc,
    all_documents,
    documents,
    manifest_files,
    traefik_crds,
    validate,
    where,
)
from tt.devenv.services import SERVICES as SPECS

SERVICES = tuple(s.name for s in SPECS)


@pytest.fixture(scope="module")
def crds() -> dict[str, Doc]:
    return traefik_crds()


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    return all_documents()


def by_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_manifest_matches_its_schema(docs: list[Doc], crds: dict[str, Doc]) -> None:
    assert len(docs) > 40
    failures = []
    for doc in docs:
        try:
            validate(doc, crds)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
            failures.append(f"{where(doc)}: {exc}")
    assert failures == []


def test_kustomization_renders_every_manifest_except_the_secret_example(
    docs: list[Doc],
) -> None:
    rendered = {where(d) for d in docs}
    # service/service.yaml is every service's template, rendered once per overlay under
    # the overlay's name (tests/deploy/test_topology.py); the overlays' TTService objects
    # are kustomize's own (local-config).
    templates = {K8S / "service" / "service.yaml", *K8S.glob("services/*/ttservice.yaml")}
    example = K8S / "secrets.example.yaml"
    for path in set(manifest_files()) - templates - {example}:
        for doc in documents(path):
            assert where(doc) in rendered, path.relative_to(REPO)
    assert not {where(d) for d in documents(example)} & rendered


def test_traefik_crds_are_valid_custom_resource_definitions(crds: dict[str, Doc]) -> None:
    assert set(crds) == {"IngressRoute", "Middleware"}
    for crd in crds.values():
        kubernetes_validate.validate(crd, "1.34", strict=True)


@pytest.mark.parametrize(
    ("kind", "mutate", "complaint"),
    [
        ("Deployment", lambda d: d["spec"].update(replicas="two"), "is not of type"),
        (
            "Deployment",
            lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readinessProbes={}),
            "Additional properties",
        ),
        ("Middleware", lambda d: d["spec"]["forwardAuth"].update(adress="x"), "Additional"),
        ("Middleware", lambda d: d["spec"]["forwardAuth"].update(address=8000), "is not of type"),
        ("IngressRoute", lambda d: d["spec"]["routes"][0].update(kind="Rules"), "is not one of"),
    ],
)
def test_the_validation_rejects_broken_manifests(
    docs: list[Doc], crds: dict[str, Doc], kind: str, mutate: Any, complaint: str
) -> None:
    original = next(
        d
        for d in docs
        if d["kind"] == kind and (kind != "Middleware" or "forwardAuth" in d["spec"])
    )
    broken = copy.deepcopy(original)
    mutate(broken)
    with pytest.raises((jsonschema.ValidationError, kubernetes_validate.ValidationError)) as raised:
        validate(broken, crds)
    assert complaint in str(raised.value)


def _partitions() -> int:
    topics = yaml.safe_load((REPO / "deploy/kafka/topics.yaml").read_text())
    return int(topics["defaults"]["partitions"])


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_api_worker_autoscaler_and_disruption_budget(
    docs: list[Doc], service: str
) -> None:
    deployments = by_kind(docs, "Deployment")
    api, worker = deployments[service], deployments[f"{service}-worker"]
    for deployment in (api, worker):
        template = deployment["spec"]["template"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= template["metadata"]["labels"].items()
        (container,) = template["spec"]["containers"]
        assert container["image"] == f"tt/{service}:0.1.0"
        assert container["resources"]["requests"].keys() == {"cpu", "memory"}
        assert "memory" in container["resources"]["limits"]
        assert template["spec"]["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False

    (api_container,) = api["spec"]["template"]["spec"]["containers"]
    assert api_container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api_container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    (worker_container,) = worker["spec"]["template"]["spec"]["containers"]
    assert worker_container["args"] == ["python", "-m", f"tt.{service}.worker"]
    assert worker_container["livenessProbe"]["httpGet"]["port"] == "metrics"
    assert 1 <= worker["spec"]["replicas"] <= _partitions()

    service_doc = by_kind(docs, "Service")[service]
    assert service_doc["spec"]["selector"] == api["spec"]["selector"]["matchLabels"]
    hpa = by_kind(docs, "HorizontalPodAutoscaler")[service]
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    assert hpa["spec"]["scaleTargetRef"] == target
    assert hpa["spec"]["minReplicas"] >= 2
    budgets = by_kind(docs, "PodDisruptionBudget")
    assert budgets[service]["spec"]["selector"] == api["spec"]["selector"]
    assert budgets[f"{service}-worker"]["spec"]["selector"] == worker["spec"]["selector"]
    job = by_kind(docs, "Job")[f"{service}-migrate"]
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["args"][:3] == ["alembic", "-c", f"services/{service}/alembic.ini"]


def _normalise(rule: str) -> str:
    return " ".join(rule.split())


def test_ingress_route_mirrors_the_gateway_routers(docs: list[Doc]) -> None:
    routers = yaml.safe_load((REPO / "gateway/dynamic/routes.yml").read_text())["http"]["routers"]
    expected = sorted(
        (_normalise(r["rule"]), r["service"], tuple(r.get("middlewares", [])), r.get("priority"))
        for r in routers.values()
        if r["entryPoints"] == ["web"]
    )
    (route_doc,) = by_kind(docs, "IngressRoute").values()
    actual = sorted(
        (
            _normalise(r["match"]),
            r["services"][0]["name"],
            tuple(m["name"] for m in r.get("middlewares", [])),
            r.get("priority"),
        )
        for r in route_doc["spec"]["routes"]
    )
    assert actual == expected
    services = by_kind(docs, "Service")
    for route in route_doc["spec"]["routes"]:
        (target,) = route["services"]
        assert target["port"] == services[target["name"]]["spec"]["ports"][0]["port"]


def test_middlewares_mirror_the_gateway_middlewares(docs: list[Doc]) -> None:
    middlewares = by_kind(docs, "Middleware")
    text = (REPO / "gateway/dynamic/middlewares.yml").read_text()
    verify_url = '{{ env "TT_GW_VERIFY_URL" }}'
    dynamic = yaml.safe_load(text.replace(verify_url, ""))["http"]["middlewares"]
    template = (REPO / "gateway/dynamic/deprecations.yml").read_text()
    deprecations = dict(re.findall(r'"([a-z-]+)" "(/api/v1/[^"]+)"', template))
    assert set(middlewares) == set(dynamic) | {f"deprecated-{n}" for n in deprecations}
    forward = middlewares["forward-auth"]["spec"]["forwardAuth"]
    for key in (
        "authRequestHeaders",
        "authResponseHeaders",
        "trustForwardHeader",
        "maxResponseBodySize",
    ):
        assert forward[key] == dynamic["forward-auth"]["forwardAuth"][key]
    assert forward["address"].endswith("/internal/verify")
    assert middlewares["body-limit"]["spec"]["buffering"] == dynamic["body-limit"]["buffering"]
    errors = middlewares["json-errors"]["spec"]["errors"]
    assert errors["status"] == dynamic["json-errors"]["errors"]["status"]
    assert errors["query"] == dynamic["json-errors"]["errors"]["query"]
    assert middlewares["not-found"]["spec"] == dynamic["not-found"]
    assert middlewares["reroute-unreachable"]["spec"] == dynamic["reroute-unreachable"]
    for name, successor in deprecations.items():
        headers = middlewares[f"deprecated-{name}"]["spec"]["headers"]["customResponseHeaders"]
        assert headers["Link"] == f'<{successor}>; rel="successor-version"'
        assert headers["X-API-Deprecated"] == "true"
        assert {"Deprecation", "Sunset"} <= headers.keys()
