"""``./dev compose`` and ``./dev test-compose``: docker-compose.yml on a local Docker
engine, with local stand-ins for the public base and infrastructure images when no image
registry is reachable (the "air-gapped" path, see deploy/docker/README.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tt.devenv.layout import REPO, STATE_ROOT
from tt.devenv.procs import DevError, run

Say = Callable[[str], None]
DEBIAN_MIRROR = os.environ.get("TT_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# Extra CA certificates this machine trusts (a TLS-inspecting egress proxy's, say): the
# stand-ins trust them too, so builds inside them reach the registries as the host does.
LOCAL_CAS = Path("/usr/local/share/ca-certificates")
DEBIAN_SOURCES = """Types: deb
URIs: {mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: {mirror}-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


@dataclass(frozen=True)
class LocalImage:
    """A stand-in for a public image, built here: ``env`` is the variable that
    docker-compose.yml (or a Dockerfile's build argument) reads the image name from."""

    env: str
    tag: str
    dockerfile: str | None  # None: imported from a debootstrap of Debian bookworm
    context: str = "."

    def source_files(self) -> list[Path]:
        if self.dockerfile is None:
            return sorted(LOCAL_CAS.glob("*.crt"))
        dockerfile = REPO / self.dockerfile
        folder = dockerfile.parent
        if folder.name == "base":
            return [dockerfile]
        return sorted(p for p in folder.rglob("*") if p.is_file())


# In build order: each may use the ones above it.
_D = "deploy/docker"
LOCAL_IMAGES = (
    LocalImage("TT_DEBIAN_IMAGE", "tt-local/debian:bookworm-slim", None),
    LocalImage(
        "TT_PYTHON_IMAGE", "tt-local/python:3.11-slim-bookworm", f"{_D}/base/python.Dockerfile"
    ),
    LocalImage("TT_NODE_IMAGE", "tt-local/node:20-bookworm-slim", f"{_D}/base/node.Dockerfile"),
    LocalImage(
        "TT_GO_IMAGE", "tt-local/golang:1.26-bookworm", f"{_D}/base/golang.Dockerfile", "GOROOT"
    ),
    LocalImage("TT_POSTGRES_IMAGE", "tt-local/postgres:15-bookworm", f"{_D}/postgres/Dockerfile"),
    LocalImage("TT_REDIS_IMAGE", "tt-local/redis:7-bookworm", f"{_D}/redis/Dockerfile"),
    LocalImage("TT_KAFKA_IMAGE", "tt-local/kafka:4.4.0", f"{_D}/kafka/Dockerfile"),
    LocalImage("TT_TRAEFIK_IMAGE", "tt-local/traefik:v3.7.15", f"{_D}/traefik/Dockerfile"),
)


def docker(*args: str, what: str, timeout: float = 1800, input_: bytes | None = None) -> str:
    result = subprocess.run(
        ["docker", *args],
        capture_output=True,
        input=input_,
        timeout=timeout,
        check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "0"},
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()[-5:]
        raise DevError(f"{what} failed: {' | '.join(tail)}")
    return result.stdout.decode(errors="replace")


def registry_reachable() -> bool:
    """Whether public images can be pulled (a missing registry fails in well under a second)."""
    pull = ["docker", "pull", "-q", "debian:bookworm-slim"]
    result = subprocess.run(pull, capture_output=True, timeout=120, check=False)
    return result.returncode == 0


def _fingerprint(image: LocalImage, parent_ids: Sequence[str]) -> str:
    digest = hashlib.sha256(image.tag.encode())
    for path in image.source_files():
        digest.update(path.as_posix().encode() + path.read_bytes())
    for parent in parent_ids:
        digest.update(parent.encode())
    return digest.hexdigest()[:16]


def _label(tag: str) -> str | None:
    result = subprocess.run(
        ["docker", "image", "inspect", "-f", '{{ index .Config.Labels "tt.source" }}', tag],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _image_id(tag: str) -> str:
    return docker("image", "inspect", "-f", "{{.Id}}", tag, what=f"inspecting {tag}").strip()


def build_local_images(say: Say) -> dict[str, str]:
    """Every stand-in image, built when missing or when its sources changed; returns the
    variables that point docker-compose.yml at them."""
    env: dict[str, str] = {}
    base_id: str | None = None
    for image in LOCAL_IMAGES:
        parents = [base_id] if base_id and image.dockerfile else []
        if image.env == "TT_TRAEFIK_IMAGE":
            parents.append(_image_id(env["TT_PYTHON_IMAGE"]))
        fingerprint = _fingerprint(image, parents)
        if _label(image.tag) != fingerprint:
            say(f"  building {image.tag}")
            if image.dockerfile is None:
                _import_debian(image.tag, fingerprint)
            else:
                _build(image, fingerprint, env)
        env[image.env] = image.tag
        if image.dockerfile is None:
            base_id = _image_id(image.tag)
    return env


def _import_debian(tag: str, fingerprint: str) -> None:
    if shutil.which("debootstrap") is None:
        raise DevError("debootstrap not found: apt-get install debootstrap and retry")
    with tempfile.TemporaryDirectory(prefix="tt-rootfs-", dir="/var/tmp") as tmp:
        rootfs = Path(tmp) / "rootfs"
        run(
            ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), DEBIAN_MIRROR],
            what="debootstrap of Debian bookworm (retry when the Debian mirror is reachable)",
            timeout=1800,
        )
        (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
        (rootfs / "etc/apt/sources.list.d/debian.sources").write_text(
            DEBIAN_SOURCES.format(mirror=DEBIAN_MIRROR)
        )
        # Picked up by update-ca-certificates when an image installs ca-certificates.
        cas = rootfs / "usr/local/share/ca-certificates"
        cas.mkdir(parents=True, exist_ok=True)
        for cert in LOCAL_CAS.glob("*.crt"):
            shutil.copy(cert, cas / cert.name)
        for folder in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (rootfs / folder).glob("*"):
                if item.is_file():
                    item.unlink()
        pack = ["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."]
        tar = subprocess.run(pack, capture_output=True, check=True)
        docker(
            "import",
            "--change",
            'CMD ["bash"]',
            "--change",
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--change",
            f"LABEL tt.source={fingerprint}",
            "-",
            tag,
            what=f"importing {tag}",
            input_=tar.stdout,
        )


def _build(image: LocalImage, fingerprint: str, env: dict[str, str]) -> None:
    assert image.dockerfile is not None
    context = str(REPO)
    if image.context == "GOROOT":
        context = subprocess.run(
            ["go", "env", "GOROOT"], capture_output=True, text=True, check=True
        ).stdout.strip()
    args = [
        "build",
        "-q",
        "-f",
        str(REPO / image.dockerfile),
        "--label",
        f"tt.source={fingerprint}",
        "--build-arg",
        f"BASE_IMAGE={env['TT_DEBIAN_IMAGE']}",
        "-t",
        image.tag,
    ]
    if "TT_PYTHON_IMAGE" in env:
        args += ["--build-arg", f"PYTHON_IMAGE={env['TT_PYTHON_IMAGE']}"]
    docker(*args, context, what=f"building {image.tag}")


def image_env(say: Say) -> dict[str, str]:
    """The public images when a registry answers, else the local stand-ins (forced with
    TT_COMPOSE_IMAGES=local or =public)."""
    choice = os.environ.get("TT_COMPOSE_IMAGES", "auto")
    if choice == "public" or (choice == "auto" and registry_reachable()):
        say("  images: public (a registry answered)")
        return {}
    say("  images: local stand-ins (no registry reachable; see deploy/docker/README.md)")
    return build_local_images(say)


# ---------------------------------------------------------------- the stack


@dataclass(frozen=True)
class Stack:
    """One compose project: its name, published ports and state folder."""

    project: str
    gateway_port: int
    admin_port: int

    @property
    def state(self) -> Path:
        return STATE_ROOT / self.project

    @property
    def platform_file(self) -> Path:
        return self.state / "platform.json"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env(self, images: dict[str, str]) -> dict[str, str]:
        return {
            **os.environ,
            **images,
            "TT_COMPOSE_PROJECT": self.project,
            "TT_GATEWAY_PORT": str(self.gateway_port),
            "TT_GATEWAY_ADMIN_PORT": str(self.admin_port),
            "TT_PUBLIC_BASE_URL": self.gateway_url,
            "TT_TRACES_DIR": str(self.state / "traces"),
        }


def default_stack() -> Stack:
    """``./dev compose``: the project `tt` on the same gateway port as ``./dev up``."""
    return Stack(
        os.environ.get("TT_COMPOSE_PROJECT", "tt"),
        int(os.environ.get("TT_GATEWAY_PORT", "8080")),
        int(os.environ.get("TT_GATEWAY_ADMIN_PORT", "8081")),
    )


def test_stack() -> Stack:
    """``./dev test-compose``: its own project and ports, clear of the local platforms
    (8000-8999, 18000-26999); TT_COMPOSE_TEST_PORT picks another gateway port."""
    port = int(os.environ.get("TT_COMPOSE_TEST_PORT", "27080"))
    return Stack("tt-compose-test", port, port + 1)


def compose(
    command: Sequence[str],
    stack: Stack,
    images: dict[str, str],
    *args: str,
    check: bool = True,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``docker compose -p <project> <args>`` on docker-compose.yml with the stack's
    variables (ports, images); output goes to the terminal unless captured."""
    argv = [*command, "-f", str(REPO / "docker-compose.yml"), "-p", stack.project, *args]
    result = subprocess.run(
        argv, cwd=REPO, env=stack.env(images), text=True, capture_output=capture, check=False
    )
    if check and result.returncode != 0:
        raise DevError(f"docker compose {' '.join(args)} failed (exit {result.returncode})")
    return result


def up(command: Sequence[str], stack: Stack, images: dict[str, str], say: Say) -> dict[str, object]:
    """Build the images, start the stack and wait until every service is healthy; writes
    and returns its platform description (gateway, admin credentials, traces folder)."""
    traces = stack.state / "traces"
    traces.mkdir(parents=True, exist_ok=True)
    traces.chmod(0o777)  # the collector writes as its own non-root user
    compose(command, stack, images, "build")
    compose(command, stack, images, "up", "--detach", "--wait", "--wait-timeout", "600")
    # The init job writes the admin's credentials to the secrets volume only.
    admin = compose(
        command,
        stack,
        images,
        *("run", "--rm", "--no-deps", "--entrypoint", "cat", "init"),
        "/run/secrets/tt/admin.json",
        capture=True,
        check=False,
    )
    if admin.returncode != 0 or not admin.stdout.strip().startswith("{"):
        raise DevError("no admin credentials in the secrets volume; see `./dev compose logs init`")
    desc: dict[str, object] = {
        "profile": "compose",
        "project": stack.project,
        "gateway_url": stack.gateway_url,
        "state": str(stack.state),
        "admin": json.loads(admin.stdout),
        "services": {},
    }
    stack.platform_file.write_text(json.dumps(desc, indent=2))
    stack.platform_file.chmod(0o600)
    say(f"  compose stack {stack.project} is up: {stack.gateway_url}")
    return desc
