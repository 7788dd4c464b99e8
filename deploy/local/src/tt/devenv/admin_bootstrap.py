"""The platform's admin user and its token, created once through auth's own bootstrap
command and kept in the platform description (``./dev up`` prints them; tests use the
token)."""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

from tt.devenv import infra
from tt.devenv.layout import REPO
from tt.devenv.procs import run
from tt.devenv.services import BY_NAME, service_env

ADMIN_USERNAME = "admin"


def bootstrap_admin(ctx: infra.Context, desc: dict[str, Any]) -> dict[str, Any]:
    """``desc`` with its ``admin`` entry (username, password, token), created if it has
    no token yet."""
    if importlib.util.find_spec("tt.auth.bootstrap") is None:
        return desc
    admin = desc.get("admin") or {}
    if admin.get("token"):
        return desc
    result = run(
        [
            sys.executable,
            "-m",
            "tt.auth.bootstrap",
            "--username",
            ADMIN_USERNAME,
            # One argument: a random password may start with "-", which argparse
            # would take for an option.
            f"--password={ctx.secrets['admin_password']}",
        ],
        what="creating the admin user and token",
        cwd=REPO,
        env=service_env(ctx.layout, BY_NAME["auth"], ctx.secrets),
    )
    desc["admin"] = json.loads(result.stdout.strip().splitlines()[-1])
    return desc
