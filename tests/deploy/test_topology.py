"""One topology: the services ``./dev`` runs (tt.devenv.services.SERVICES) are the ones
every other description of the platform names: the service folders and the workspace,
docker-compose.yml and the one service Dockerfile, the Kubernetes overlays and what
kustomize renders of them, the gateway's routers and pools (gateway/dynamic) and the
IngressRoute, the compose init job. A service added to one and not the others fails
here, by name. No Docker or cluster needed."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from typing import Any

import pytest
import yaml

from support.k8s import K8S, REPO, Doc, all_documents, documents
from tt.devenv.layout import OFFSETS, Layout
from tt.devenv.platform import Platform
from tt.devenv.services import SERVICES, ServiceSpec

NAMES = {s.name for s in SERVICES}
DOCKERFILE = "deploy/docker/service/Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return doc


@pytest.fixture(scope="module")
def rendered() -> list[Doc]:
    return all_documents()


def _named(docs: list[Doc], kind: str, component: str) -> dict[str, Doc]:
    return {
        d["metadata"]["labels"]["app.kubernetes.io/name"]: d
        for d in docs
        if d["kind"] == kind
        and d["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component
    }


def test_each_service_has_its_code_and_is_in_the_workspace() -> None:
    # common is the shared library, not a service: it has no database, so no alembic.ini.
    assert {p.parent.name for p in REPO.glob("services/*/alembic.ini")} == NAMES
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = {f"tt-{n}" for n in NAMES}
    assert packages <= set(pyproject["project"]["dependencies"])
    assert packages <= set(pyproject["tool"]["uv"]["sources"])
    mypy_path = pyproject["tool"]["mypy"]["mypy_path"].split(":")
    assert {f"services/{n}/src" for n in NAMES} <= set(mypy_path)
    modules = {f"tt.{n}" for n in NAMES}
    contracts = {c["name"]: c for c in pyproject["tool"]["importlinter"]["contracts"]}
    assert set(contracts["Services are independent of each other"]["modules"]) == modules
    assert modules <= set(contracts["tt.common imports no service"]["forbidden_modules"])
    assert set(contracts["Services never import the dev tooling"]["source_modules"]) == modules


def test_dev_gives_each_service_its_own_ports_and_redis_database() -> None:
    # Ten ports from each service's offset, and their internal ports a hundred above
    # (tt.devenv.layout): none may fall on another service's or process's port.
    for name in NAMES:
        start = OFFSETS[name]
        taken = {*range(start, start + 10), *range(start + 100, start + 110)}
        others = {o for n, o in OFFSETS.items() if n != name}
        others |= {OFFSETS[n] + d for n in NAMES - {name} for d in (*range(10), *range(100, 110))}
        assert not taken & others, name
    assert len({s.redis_db for s in SERVICES}) == len(SERVICES)


def test_no_service_keeps_a_dockerfile_of_its_own() -> None:
    assert not list(REPO.glob("services/*/Dockerfile"))
    assert (REPO / DOCKERFILE).exists()


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_compose_runs_the_service_from_the_one_dockerfile(
    compose: dict[str, Any], spec: ServiceSpec
) -> None:
    services = compose["services"]
    api = services[spec.name]
    assert api["build"]["dockerfile"] == DOCKERFILE
    assert api["build"]["args"]["SERVICE"] == spec.name
    assert api["image"] == f"tt/{spec.name}:dev"
    assert api["environment"]["TT_REDIS_URL"] == f"redis://redis:6379/{spec.redis_db}"
    assert f"TT_{spec.name.upper()}_DATABASE_URL" in api["environment"]["TT_SECRETS"].split(",")
    worker = services.get(f"{spec.name}-worker")
    assert (worker is not None) == spec.has_worker
    if worker is not None:
        assert worker["image"] == api["image"]
        assert worker["command"] == ["python", "-m", f"tt.{spec.name}.worker"]
        assert worker["environment"]["TT_REDIS_URL"] == api["environment"]["TT_REDIS_URL"]


def test_compose_builds_no_other_service_image_and_routes_every_service(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    built = {n for n, s in services.items() if s.get("build", {}).get("dockerfile") == DOCKERFILE}
    assert built == NAMES
    gateway = services["gateway"]
    assert gateway["environment"]["TT_GW_SERVICES"].split(",") == [s.name for s in SERVICES]
    pools = {k for k in gateway["environment"] if re.fullmatch(r"TT_GW_[A-Z_]+_URLS", k)} - {
        "TT_GW_AUTH_INTERNAL_URLS"
    }
    assert pools == {f"TT_GW_{n.upper()}_URLS" for n in NAMES}
    for name in NAMES:
        assert gateway["environment"][f"TT_GW_{name.upper()}_URLS"] == f"http://{name}:8000"
    assert set(gateway["depends_on"]) == NAMES


def test_compose_init_job_provisions_every_service() -> None:
    # It finds the services by their folders (alembic.ini), in the image as here.
    spec = importlib.util.spec_from_file_location(
        "tt_init_topology", REPO / "deploy/docker/init/tt_init.py"
    )
    assert spec is not None
    assert spec.loader is not None
    init = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(init)
    assert set(init.SERVICES) == NAMES
    dockerfile = (REPO / "deploy/docker/init/Dockerfile").read_text()
    assert "COPY services services" in dockerfile
    assert "for ini in services/*/alembic.ini" in dockerfile


def test_k8s_has_one_overlay_per_service() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    overlays = {r.removeprefix("services/") for r in kustomization["resources"] if "/" in r}
    overlays -= {r for r in overlays if r.startswith("gateway/")}
    assert overlays == NAMES
    assert {p.name for p in (K8S / "services").iterdir()} == NAMES
    for name in NAMES:
        (service,) = documents(K8S / "services" / name / "ttservice.yaml")
        assert (service["kind"], service["metadata"]["name"]) == ("TTService", name)
    # Each image gets its tag (and an operator's registry) there.
    assert {f"tt/{n}" for n in NAMES} <= {i["name"] for i in kustomization["images"]}


def test_k8s_renders_each_service_and_only_those(rendered: list[Doc]) -> None:
    with_worker = {s.name for s in SERVICES if s.has_worker}
    assert set(_named(rendered, "Deployment", "api")) == NAMES
    assert set(_named(rendered, "Deployment", "worker")) == with_worker
    assert set(_named(rendered, "Job", "migrations")) == NAMES
    assert set(_named(rendered, "Service", "api")) == NAMES
    # Every object a service's overlay renders is named after it.
    for doc in rendered:
        name = doc["metadata"].get("labels", {}).get("app.kubernetes.io/name")
        if name in NAMES:
            assert doc["metadata"]["name"] in (name, f"{name}-worker", f"{name}-migrate")


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_k8s_gives_each_process_its_own_database_secret_and_redis(
    rendered: list[Doc], spec: ServiceSpec
) -> None:
    (config,) = [
        d for d in rendered if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "tt-platform"
    ]
    key = f"redis-url-{spec.name}"
    assert config["data"][key].endswith(f":6379/{spec.redis_db}")
    example = {d["metadata"]["name"]: d for d in documents(K8S / "secrets.example.yaml")}
    assert f"TT_{spec.name.upper()}_DATABASE_URL" in example[f"tt-{spec.name}"]["stringData"]
    processes = [
        _named(rendered, "Deployment", "api")[spec.name],
        _named(rendered, "Job", "migrations")[spec.name],
    ]
    if spec.has_worker:
        processes.append(_named(rendered, "Deployment", "worker")[spec.name])
    for doc in processes:
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith(f"tt/{spec.name}:")
        assert {"secretRef": {"name": f"tt-{spec.name}"}} in container["envFrom"]
        env = {e["name"]: e for e in container["env"]}
        assert env["TT_REDIS_URL"]["valueFrom"]["configMapKeyRef"]["key"] == key


def _routers() -> dict[str, Any]:
    routes = yaml.safe_load((REPO / "gateway/dynamic/routes.yml").read_text())
    routers: dict[str, Any] = routes["http"]["routers"]
    return routers


def test_the_gateway_has_a_pool_per_service_and_routes_to_each() -> None:
    # The pools are the services TT_GW_SERVICES names (./dev: tt.devenv.services).
    template = (REPO / "gateway/dynamic/services.yml").read_text()
    assert 'range $name := splitList "," (env "TT_GW_SERVICES")' in template
    env = Platform(Layout.for_profile("test")).gateway_env()
    assert env["TT_GW_SERVICES"].split(",") == [s.name for s in SERVICES]
    public = {r["service"] for r in _routers().values() if r["entryPoints"] == ["web"]}
    assert public == NAMES


def test_the_ingress_route_is_generated_from_the_gateway_routers() -> None:
    from tt.devenv import ingressroute

    assert ingressroute.is_current(), "run ./dev ingressroute"


def test_the_ingress_route_routes_to_each_service_on_its_public_port(
    rendered: list[Doc],
) -> None:
    (route,) = [d for d in rendered if d["kind"] == "IngressRoute"]
    targets = [t for r in route["spec"]["routes"] for t in r["services"]]
    assert {t["name"] for t in targets} == NAMES
    assert {t["port"] for t in targets} == {8000}
