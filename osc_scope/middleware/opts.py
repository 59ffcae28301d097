"""The [scoped_authtoken] options: which clouds this service trusts for identity.

Like keystonemiddleware's own options they can be set in the service's config
file or, for quick tests, in the paste filter section (paste wins). Sample
config, beside keystonemiddleware's own (an ``oslo.config.opts`` entry point)::

    oslo-config-generator --namespace osc_scope.middleware \
        --namespace keystonemiddleware.auth_token
"""

from oslo_config import cfg

GROUP = "scoped_authtoken"

OPTS = [
    cfg.StrOpt(
        "local_cloud",
        help="Name (Keystone region id) of the cloud this service belongs to: tokens "
        "whose scope names it as identity, or names no identity, are validated with "
        "[keystone_authtoken]. Default: [keystone_authtoken] region_name.",
    ),
    cfg.ListOpt(
        "remote_clouds",
        default=[],
        help="Other clouds whose tokens this service accepts; each one needs a "
        "[keystone_authtoken:<cloud>] section with that cloud's auth_url and this "
        "service's credentials there. A scope naming any other identity cloud is "
        "refused with 401.",
    ),
    cfg.BoolOpt(
        "local_catalog",
        default=True,
        help="When a token comes from a remote cloud, put the local cloud's catalog "
        "before the token's own, so the service still finds its local endpoints "
        "(its region) for the calls it makes with the user's token.",
    ),
]

NAMES = frozenset(opt.dest for opt in OPTS)


def list_opts():
    """The ``osc_scope.middleware`` namespace of oslo-config-generator (setup.cfg)."""
    return [(GROUP, OPTS)]


def load(conf, paste_overrides):
    """Return a dict of the options, paste values (strings) winning over ``conf``."""
    conf.register_opts(OPTS, group=GROUP)
    values = {}
    for opt in OPTS:
        if opt.dest in paste_overrides:
            values[opt.dest] = opt.type(paste_overrides[opt.dest])
        else:
            values[opt.dest] = conf[GROUP][opt.dest]
    return values
