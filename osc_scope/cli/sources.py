"""Where a scope comes from, strongest first: the option, ``OS_SCOPE``,
``OS_SCOPE_<SERVICE>``, then the ``scope:`` key of the cloud in clouds.yaml.

Sources are layered per service: each service type takes its expression from the
strongest source naming it. ``ScopeSetting`` carries the command-line and environment
layers through openstacksdk's config loader to the session hook (see its docstring).
"""

from osc_scope.cli.sdk_internals import clouds_yaml_entry
from osc_scope.scope import DuplicateServiceError, Scope, ScopeError, parse

ENV_SCOPE = "OS_SCOPE"
ENV_SERVICE_PREFIX = "OS_SCOPE_"
CONFIG_KEY = "scope"


class ScopeSetting(tuple):
    """The scope layers given on the command line and in the environment.

    It rides in the cloud config under ``scope``, the key a clouds.yaml scope uses, for two
    reasons: the loader ``.format()``s every *string* value (a JSON scope there crashes it
    with ``KeyError``), and this object is not a string; and, standing in for the file's
    own value, it keeps a JSON string in clouds.yaml away from that ``.format()`` too. The
    hook reads the file's value itself (``sdk_internals.clouds_yaml_entry``). A tuple of
    ``(source, canonical JSON)`` pairs, so ``openstack configuration show`` can print it.
    """

    def __new__(cls, layers=()):
        layers = tuple(layers)  # ((source name, Scope), ...), strongest first
        self = super().__new__(cls, ((source, scope.to_wire()) for source, scope in layers))
        self.layers = layers
        return self

    def with_strongest(self, source, scope):
        return ScopeSetting(((source, scope), *self.layers))

    def __deepcopy__(self, memo):
        return self  # immutable; the loader deep-copies configs

    def __repr__(self):
        return f"ScopeSetting({tuple(self)!r})"


def combine(layers):
    """One scope from ``(source, Scope)`` layers, strongest first; None if there are none."""
    result = None
    for _source, scope in reversed(tuple(layers)):
        result = scope if result is None else scope.layered_over(result)
    return result


def _with_source(source, func, *args):
    try:
        return func(*args)
    except ScopeError as exc:
        exc.source = source
        raise


def from_option(text, source="--os-scope"):
    """The scope given as JSON text on the command line."""
    return _with_source(source, parse, text)


def from_environ(environ):
    """Layers from ``OS_SCOPE`` and ``OS_SCOPE_<SERVICE>`` (empty values count as unset)."""
    layers = []
    text = environ.get(ENV_SCOPE)
    if text:
        layers.append((ENV_SCOPE, _with_source(ENV_SCOPE, parse, text)))
    per_service = None
    for name in sorted(environ):
        if not name.startswith(ENV_SERVICE_PREFIX) or not environ[name]:
            continue
        service = name[len(ENV_SERVICE_PREFIX) :].lower().replace("_", "-")
        scope = _with_source(name, Scope.from_mapping, {service: environ[name]})
        if per_service is not None and set(scope) & set(per_service):
            exc = DuplicateServiceError(
                f"service {next(iter(scope))!r} is set by two variables", service=next(iter(scope))
            )
            exc.source = name
            raise exc
        per_service = scope if per_service is None else scope.layered_over(per_service)
    if per_service is not None:
        layers.append((ENV_SERVICE_PREFIX + "<SERVICE>", per_service))
    return layers


def scope_variables(environ):
    """The names of the scope variables, which the CLI takes out of the environment."""
    return [n for n in environ if n == ENV_SCOPE or n.startswith(ENV_SERVICE_PREFIX)]


def from_config_value(value, source):
    """A clouds.yaml ``scope:`` value: a mapping, or the same JSON text as the option."""
    if value is None or value == "":
        return None
    if isinstance(value, Scope):
        return value
    if isinstance(value, (str, bytes)):
        return _with_source(source, parse, value)
    return _with_source(source, Scope.from_mapping, value)


def resolve(cloud_region, environ=None):
    """The scope of a cloud region, every source layered; None when no source gives one.

    Behind ``openstack`` and ``osc_scope.connect`` the config holds a ``ScopeSetting``
    (option and environment already read) and the file's value is read raw; behind a bare
    ``vendor_hook`` the config holds the file's value and ``environ`` is read here.
    """
    value = cloud_region.config.get(CONFIG_KEY)
    if isinstance(value, ScopeSetting):
        layers = list(value.layers)
        value = clouds_yaml_entry(cloud_region).get(CONFIG_KEY)
    else:
        layers = from_environ(environ or {})
    file_scope = from_config_value(value, f"clouds.yaml scope of cloud {cloud_region.name!r}")
    if file_scope is not None:
        layers.append(("clouds.yaml", file_scope))
    return combine(layers)
