"""deploy/k8s/gateway/ingressroute.yaml, generated from the gateway's routers
(gateway/dynamic/routes.yml), so Kubernetes routes exactly what ``./dev`` and compose
route: ``./dev ingressroute`` writes it, ``./dev lint`` fails when it is stale.

Each router of the ``web`` entry point becomes one route with the same rule (on one
line), priority, service (its Kubernetes Service, on the public port) and middlewares
(the Middleware objects of deploy/k8s/gateway/middlewares.yaml have the same names).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import yaml

from tt.devenv.layout import REPO

ROUTES = REPO / "gateway" / "dynamic" / "routes.yml"
OUTPUT = REPO / "deploy" / "k8s" / "gateway" / "ingressroute.yaml"
# Every service's public port in its image and its Kubernetes Service.
PORT = 8000

HEADER = """\
# tt's routes on Traefik's Kubernetes CRD provider: the routers of
# gateway/dynamic/routes.yml (entry point web), written by `./dev ingressroute`. Do not
# edit: change routes.yml and run it (`./dev lint` fails while this file is stale).
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: tt
  labels:
    app.kubernetes.io/name: tt-gateway
    app.kubernetes.io/part-of: tt
spec:
  entryPoints: [web]
  routes:
"""


def render() -> str:
    routers: dict[str, dict[str, Any]] = yaml.safe_load(ROUTES.read_text())["http"]["routers"]
    lines = [HEADER.rstrip("\n")]
    for name, router in routers.items():
        if router["entryPoints"] != ["web"]:
            continue
        # A JSON string is a valid YAML double-quoted scalar.
        lines += [
            f"    # {name}",
            "    - kind: Rule",
            f"      match: {json.dumps(' '.join(router['rule'].split()))}",
        ]
        if "priority" in router:
            lines.append(f"      priority: {int(router['priority'])}")
        lines += [
            "      services:",
            f"        - name: {router['service']}",
            f"          port: {PORT}",
        ]
        if router.get("middlewares"):
            lines.append("      middlewares:")
            lines += [f"        - name: {m}" for m in router["middlewares"]]
    return "\n".join(lines) + "\n"


def is_current() -> bool:
    return OUTPUT.exists() and OUTPUT.read_text() == render()


def write() -> str:
    OUTPUT.write_text(render())
    return str(OUTPUT.relative_to(REPO))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if is_current():
            print(f"{OUTPUT.relative_to(REPO)} is current")
            return 0
        print(f"{OUTPUT.relative_to(REPO)} is stale: run ./dev ingressroute and commit it")
        return 1
    print(f"wrote {write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
