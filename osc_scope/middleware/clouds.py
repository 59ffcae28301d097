"""One token validator per remote identity cloud, configured like [keystone_authtoken].

Design: each remote cloud gets its own, unmodified keystonemiddleware
``AuthProtocol``, built over a view of the service's own ``ConfigOpts`` in which
the cloud's section (``[keystone_authtoken:CloudTwo]``) stands in for
``[keystone_authtoken]``. keystonemiddleware therefore registers and reads its
own options there (same names, types, defaults, deprecated aliases,
``auth_section``), loads the keystoneauth plugin and session (password or
application credential, ``cafile``, ``insecure``, timeouts), finds the identity
endpoint (``region_name``, ``interface``) and builds its token cache, exactly as
it does for the local cloud. We parse nothing ourselves, and every cloud keeps
its own service credentials: no admin password is shared across clouds.

Caches: every validator's cache is wrapped so that its keys carry the cloud
name, so tokens of several clouds stay apart even when the clouds share one
memcached or the WSGI environment's cache.
"""

from keystonemiddleware import auth_token

from osc_scope.middleware import ksm_internals

AUTHTOKEN_GROUP = "keystone_authtoken"


def section_name(cloud):
    """The config section holding a remote cloud's service credentials."""
    return f"{AUTHTOKEN_GROUP}:{cloud}"


class SectionView:
    """The service's ``ConfigOpts`` with one section standing in for [keystone_authtoken].

    Only the group name is translated; everything else (other groups such as
    ``[cache]``, ``project``) is the service's own configuration.
    """

    def __init__(self, conf, section):
        self._conf = conf
        self._section = section

    def _group(self, group):
        return self._section if group == AUTHTOKEN_GROUP else group

    def __getitem__(self, group):
        return self._conf[self._group(group)]

    def register_opts(self, opts, group=None):
        return self._conf.register_opts(opts, group=self._group(group))

    def register_opt(self, opt, group=None, cli=False):
        return self._conf.register_opt(opt, group=self._group(group), cli=cli)

    def __getattr__(self, name):
        return getattr(self._conf, name)


class CloudKeyedCache:
    """A keystonemiddleware token cache whose keys include the cloud name."""

    def __init__(self, cache, cloud):
        self._cache = cache
        self._prefix = f"{cloud}\n"

    def initialize(self, env):
        self._cache.initialize(env)

    def get(self, token):
        return self._cache.get(self._prefix + token)

    def set(self, token, data):
        self._cache.set(self._prefix + token, data)


def remote_validator(conf, cloud):
    """An ``AuthProtocol`` validating tokens with ``cloud``'s Keystone.

    It is never called as WSGI middleware: only its ``fetch_token`` is used.
    """
    protocol = ksm_internals.check(
        auth_token.AuthProtocol(
            None,
            {"oslo_config_config": SectionView(conf, section_name(cloud))},
        )
    )
    if ksm_internals.service_auth(protocol)[0] is None:
        raise auth_token.ConfigurationError(
            f"[{section_name(cloud)}] has no auth_type: cloud {cloud} is listed in "
            "[scoped_authtoken] remote_clouds but has no service credentials"
        )
    ksm_internals.replace_token_cache(protocol, lambda cache: CloudKeyedCache(cache, cloud))
    return protocol
