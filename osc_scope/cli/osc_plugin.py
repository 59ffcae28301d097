"""OpenStackClient plugin (``openstack.cli.extension``): the global ``--os-scope`` option.

Wiring only. OSC calls ``build_option_parser`` while it builds its global parser, before
it reads any configuration and long before any request: the environment's scope is
checked (and taken out of the environment, where openstacksdk's loader would choke on
it) and the option is checked as argparse meets it, so a bad scope stops the command
with one line and no request at all. The session hook is installed by the vendor hook
(``osc_scope.sdk.cli_vendor_hook``) on the Connection osc-lib builds, whose session all
of OSC's clients share; the clouds.yaml ``scope:`` is read there.
"""

import argparse
import os
import sys

from osc_scope.cli import sources
from osc_scope.scope import ScopeError

API_NAME = "scope"
API_VERSION_OPTION = "os_osc_scope_api_version"  # not OS_SCOPE_*: that is a scope variable
API_VERSIONS = ("1",)
DEFAULT_API_VERSION = "1"
# Defined here once (osc_scope.sdk imports it), as a name, not an import: osc_scope.sdk and
# the session hook load only when osc-lib builds its Connection (bench/plugin_cost.py).
CLI_VENDOR_HOOK = "osc_scope.sdk:cli_vendor_hook"

HELP = (
    "Send each request to the clouds this scope names: a JSON object of service types "
    'and cloud expressions, e.g. \'{"image": "CloudTwo|CloudThree"}\'; services it does '
    "not name stay on the local cloud. Also OS_SCOPE_<SERVICE>=<clouds> and clouds.yaml "
    "'scope:' (Env: OS_SCOPE)"
)


def make_client(instance):
    """No API client: this plugin adds a global option and a session hook only."""
    return None


def _fail(parser, error):
    """One line, no usage text, no traceback; argparse's exit status for bad arguments."""
    sys.stderr.write(f"{parser.prog}: error: {error}\n")
    raise SystemExit(2)


class _ScopeAction(argparse.Action):
    """Check ``--os-scope`` as soon as it is parsed; store it as a ``ScopeSetting``."""

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            scope = sources.from_option(values, source=option_string or "--os-scope")
        except ScopeError as exc:
            _fail(parser, exc)
        setattr(namespace, self.dest, self.default.with_strongest("--os-scope", scope))


def build_option_parser(parser):
    """Add ``--os-scope``; take the scope variables out of the environment."""
    environ = os.environ
    try:
        layers = sources.from_environ(environ)
    except ScopeError as exc:
        _fail(parser, exc)
    for name in sources.scope_variables(environ):
        del environ[name]
    parser.add_argument(
        "--os-scope",
        metavar="<scope>",
        dest="os_scope",  # -> the config key "scope", where ScopeSetting must stand
        action=_ScopeAction,
        default=sources.ScopeSetting(layers),
        help=HELP,
    )
    # -> the config key "vendor_hook": openstacksdk calls it with the Connection osc-lib
    # builds, before any request; it also runs the cloud's own vendor hook, if any.
    parser.set_defaults(os_vendor_hook=CLI_VENDOR_HOOK)
    return parser
