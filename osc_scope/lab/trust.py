"""The operator's trust overrides of a lab: ``DIR/trust.json``, optional.

The lab runs the default trust policy (a remote cloud's ``reader`` and ``member`` are
honoured, its ``admin`` is not). To try another policy, write

    {"CloudOne": {"CloudTwo": {"role_mapping": {"admin": "admin"}}}}

(services of CloudOne, tokens of CloudTwo; any option of
``osc_scope.middleware.opts.TRUST_OPTS``) and run ``lab up``: the services whose config
changed restart with it. Remove the file and ``lab up`` again for the default.
"""

import json
import os

from osc_scope.lab.errors import LabError
from osc_scope.middleware import opts

__all__ = ["FILE", "overrides"]

FILE = "trust.json"
_KNOWN = {opt.dest for opt in opts.TRUST_OPTS}


def _ini_value(value):
    if isinstance(value, dict):
        return ",".join(f"{remote}:{local}" for remote, local in value.items())
    return value


def overrides(lab, cloud, remote):
    """The trust options the services of ``cloud`` apply to tokens of ``remote``."""
    path = lab.path(FILE)
    try:
        with open(path) as stream:
            data = json.load(stream)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise LabError(f"{path}: {exc}") from None
    options = (data.get(cloud) or {}).get(remote) or {} if isinstance(data, dict) else None
    if not isinstance(options, dict):
        raise LabError(f"{path}: expected {{cloud: {{remote cloud: {{option: value}}}}}}")
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        raise LabError(
            f"{os.path.basename(path)}: unknown trust option(s) {', '.join(unknown)} for "
            f"{cloud}/{remote}; known: {', '.join(sorted(_KNOWN))}"
        )
    return {name: _ini_value(value) for name, value in options.items()}
