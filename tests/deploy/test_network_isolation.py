"""Who can reach what, as docker-compose.yml and deploy/k8s declare it (docs/security.md,
Network): only the gateway publishes ports; services, workers and data stores are on a
network without a route out; verify is called at auth's internal port; Redis requires a
password the services are given; Kubernetes denies ingress to tt's pods but for the
gateway and monitoring. No Docker or cluster needed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from support.k8s import REPO, Doc, all_documents, where
from tt.devenv.services import SERVICES as SPECS

SERVICES = tuple(s.name for s in SPECS)
STORES = ("postgres", "redis", "kafka")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return doc


def _networks(service: dict[str, Any]) -> set[str]:
    return set(service.get("networks") or [])


def test_only_the_gateway_publishes_ports_and_sits_on_the_edge(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"gateway"}
    on_edge = {name for name, s in services.items() if "edge" in _networks(s)}
    assert on_edge == {"gateway"}
    assert compose["networks"]["internal"]["internal"] is True


def test_services_workers_and_stores_are_on_the_internal_network_only(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in (*SERVICES, *(f"{s}-worker" for s in SERVICES), *STORES, "init"):
        # Webhook targets are on the internet: checking and delivering needs a way out.
        allowed = {"internal", "egress"} if name.startswith("webhooks") else {"internal"}
        assert "internal" in _networks(services[name]), name
        assert _networks(services[name]) <= allowed, name
    assert services["secrets"]["network_mode"] == "none"


def test_the_gateway_calls_verify_at_auth_internal_port(compose: dict[str, Any]) -> None:
    env = compose["services"]["gateway"]["environment"]
    assert env["TT_GW_VERIFY_URL"] == "http://auth:8001/internal/verify"
    assert env["TT_GW_AUTH_INTERNAL_URLS"] == "http://auth:8001"
    assert env["TT_GW_AUTH_URLS"] == "http://auth:8000"
    dockerfile = (REPO / "deploy/docker/service/Dockerfile").read_text()
    assert "--port 8000 --internal-port 8001" in dockerfile


def test_kafka_requires_sasl_and_every_process_has_the_password(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    kafka = services["kafka"]["environment"]
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    for listener in kafka["KAFKA_LISTENERS"].split(","):
        name, _, address = listener.partition("://")
        # The controller's plaintext listener is on the container's loopback only.
        assert protocols[name] == "SASL_PLAINTEXT" or address.startswith("127.0.0.1:"), listener
    assert "jaas.conf" in kafka["KAFKA_OPTS"]
    for name, service in services.items():
        env = service.get("environment") or {}
        if "TT_KAFKA_BOOTSTRAP" in env and name != "init":
            assert env["TT_KAFKA_SASL_USERNAME"], name
            assert "TT_KAFKA_SASL_PASSWORD" in env["TT_SECRETS"].split(","), name


def test_redis_requires_the_password_every_process_is_given(compose: dict[str, Any]) -> None:
    services = compose["services"]
    redis = services["redis"]
    assert redis["command"][:2] == ["redis-server", "/run/secrets/redis/redis.conf"]
    assert "redis-config:/run/secrets/redis:ro" in redis["volumes"]
    assert "redis-config:/run/secrets/redis" in services["secrets"]["volumes"]
    for name, service in services.items():
        env = service.get("environment") or {}
        if "TT_REDIS_URL" in env and name != "init":  # init reads every secret itself
            assert "TT_REDIS_PASSWORD" in env["TT_SECRETS"].split(","), name


def _policies() -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in all_documents() if d["kind"] == "NetworkPolicy"}


def _allowed_ports(policy: Doc) -> set[Any]:
    return {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}


def test_k8s_denies_ingress_but_from_the_gateway_and_monitoring() -> None:
    policies = _policies()
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {}
    assert deny["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny
    for policy in policies.values():
        for rule in policy["spec"].get("ingress", []):
            assert rule.get("from"), policy["metadata"]["name"]  # no rule admits everyone
            assert rule.get("ports"), policy["metadata"]["name"]
    api = policies["api-from-gateway"]
    assert api["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": "api"}
    assert _allowed_ports(api) == {"http"}
    verify = policies["verify-from-gateway"]
    assert verify["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "auth"
    assert _allowed_ports(verify) == {"internal"}
    assert _allowed_ports(policies["metrics-from-monitoring"]) == {"internal", "metrics"}


def test_k8s_apis_serve_the_internal_port_and_verify_is_called_there() -> None:
    docs = all_documents()
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    for name in SERVICES:
        pod = by[("Deployment", name)]["spec"]["template"]
        (api,) = pod["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in api["ports"]}
        assert ports == {"http": 8000, "internal": 8001}
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == "8001"
        service_ports = {p["name"]: p["port"] for p in by[("Service", name)]["spec"]["ports"]}
        assert service_ports == {"http": 8000, "internal": 8001}
    forward = by[("Middleware", "forward-auth")]["spec"]["forwardAuth"]
    assert forward["address"] == "http://auth.tt.svc.cluster.local:8001/internal/verify"


def test_k8s_processes_get_the_kafka_credentials_from_a_secret() -> None:
    for doc in all_documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            sources = container.get("envFrom", [])
            if {"configMapRef": {"name": "tt-platform"}} in sources:
                assert {"secretRef": {"name": "tt-kafka"}} in sources, where(doc)


def test_k8s_processes_get_the_redis_password_from_a_secret() -> None:
    for doc in all_documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            env = {e["name"]: e for e in container.get("env", [])}
            if "TT_REDIS_URL" not in env:
                continue
            secret = env["TT_REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert secret == {"name": "tt-redis", "key": "TT_REDIS_PASSWORD"}, where(doc)
