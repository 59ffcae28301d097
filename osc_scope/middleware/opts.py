"""The [scoped_authtoken] options: which clouds this service trusts for identity, and how far.

Like keystonemiddleware's own options they can be set in the service's config
file or, for quick tests, in the paste filter section (paste wins). The trust
policy of each remote identity cloud (``TRUST_OPTS``) sits in that cloud's
``[keystone_authtoken:<cloud>]`` section, beside the credentials keystonemiddleware
reads there: everything about one remote cloud in one place. Sample config,
beside keystonemiddleware's own (an ``oslo.config.opts`` entry point)::

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

DEFAULT_HONOURED_ROLES = ["reader", "member"]

TRUST_OPTS = [
    cfg.ListOpt(
        "honoured_roles",
        default=DEFAULT_HONOURED_ROLES,
        help="Roles of this cloud's tokens that keep their name here; every other role "
        "(admin included) is dropped before the service sees the token, unless "
        "role_mapping names it. A token left with no role is refused with 403.",
    ),
    cfg.DictOpt(
        "role_mapping",
        default={},
        help="Remote role -> local role, e.g. 'admin:member,operator:member'; a mapped "
        "role is kept under its local name whether or not it is honoured. "
        "'admin:admin' makes this cloud's admins admins here.",
    ),
    cfg.ListOpt(
        "accepted_projects",
        default=[],
        help="Ids of this cloud's projects whose tokens are accepted; empty: any. Tokens "
        "of other projects (and domain-scoped tokens) are refused with 403.",
    ),
    cfg.ListOpt(
        "accepted_domains",
        default=[],
        help="Ids or names of this cloud's domains whose tokens (project-scoped: the "
        "project's domain; domain-scoped: that domain) are accepted; empty: any.",
    ),
    cfg.BoolOpt(
        "accept_service_tokens",
        default=True,
        help="Accept this cloud's service tokens (X-Service-Token: one of its services "
        "calling this one for a user, as CloudOne's Nova calls CloudTwo's Glance when it "
        "boots from CloudTwo's image). Their roles pass the same policy, plus "
        "[keystone_authtoken] service_token_roles (so admin is dropped, service kept). "
        "When false they are refused with 403, and so are the calls carrying them.",
    ),
]

# where TRUST_OPTS live: [keystone_authtoken:<cloud>] (clouds.section_name)
TRUST_SAMPLE_GROUP = "keystone_authtoken:<cloud>"


def list_opts():
    """The ``osc_scope.middleware`` namespace of oslo-config-generator (setup.cfg)."""
    return [(GROUP, OPTS), (TRUST_SAMPLE_GROUP, TRUST_OPTS)]


def load_trust(conf, section):
    """The trust options of one remote cloud's section, as a dict."""
    conf.register_opts(TRUST_OPTS, group=section)
    return {opt.dest: conf[section][opt.dest] for opt in TRUST_OPTS}


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
