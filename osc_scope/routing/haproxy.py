"""What rendering needs outside Python: the shipped ``haproxy/`` files and ``haproxy -c``."""

import os
import pathlib
import shutil
import subprocess
import sys

from osc_scope.routing.errors import RenderError

__all__ = ["check", "haproxy_dir"]


def haproxy_dir():
    """Where the template and Lua modules are: a checkout, or an installed wheel's share/."""
    candidates = [
        os.environ.get("OSC_SCOPE_HAPROXY_DIR"),
        pathlib.Path(__file__).resolve().parents[2] / "haproxy",
        pathlib.Path(sys.prefix) / "share" / "osc-scope" / "haproxy",
    ]
    for candidate in candidates:
        if candidate and (pathlib.Path(candidate) / "haproxy.cfg.j2").is_file():
            return pathlib.Path(candidate)
    raise RenderError("cannot find haproxy/haproxy.cfg.j2 (set OSC_SCOPE_HAPROXY_DIR)")


def check(config_path):
    """Run ``haproxy -c`` on a rendered config; raise RenderError with its message."""
    haproxy = shutil.which("haproxy")
    if not haproxy:
        raise RenderError("haproxy is not installed: cannot check the configuration")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(config_path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if "ALERT" in line]
        raise RenderError("haproxy -c refused the configuration: " + " | ".join(lines[:3]))
