"""Filters for playbooks/os-scope.yml: the small data reshaping Jinja would make unreadable.

Kept free of osc_scope imports: the playbooks run with whatever Python Ansible runs with, and
the routing table itself is built by the ``osc-scope`` command, never here.
"""

import urllib.parse

DEFAULT_PORTS = {"http": 80, "https": 443}

# What an account in another cloud may say (keystoneauth's options, as keystonemiddleware
# reads them in [keystone_authtoken:<cloud>]); cafile and insecure are handled apart.
ACCOUNT_OPTIONS = (
    "auth_type",
    "username",
    "user_id",
    "password",
    "user_domain_name",
    "user_domain_id",
    "project_name",
    "project_id",
    "project_domain_name",
    "project_domain_id",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
)
ACCOUNT_TLS = ("cafile", "insecure")
# osc_scope.middleware.opts.TRUST_OPTS, by name (this file cannot import osc_scope; kept
# equal by tests/unit/playbooks/test_filters.py). Options not given are removed, so the
# policy in the file is always the inventory's.
TRUST_OPTIONS = (
    "honoured_roles",
    "role_mapping",
    "accepted_projects",
    "accepted_domains",
    "accept_service_tokens",
)


def _host_port(url):
    parts = urllib.parse.urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{host}:{port}"


def _column(row, *names):
    for name in names:
        if name in row:
            return row[name]
    return None


def _with_url(row, url):
    row = dict(row)
    for name in ("URL", "url"):
        if name in row:
            row[name] = url
    return row


def os_scope_plan(
    rows, region, backend_host="127.0.0.1", backend_map=None, frontend_map=None, backends=None
):
    """Where each endpoint of ``region`` is served, from ``openstack endpoint list`` rows.

    ``backends`` ``{endpoint URL: [host:port, ...]}``, when given, is the answer as it
    stands: the catalog stays, and ``osc-scope table build`` checks every URL. It is the
    only way to give several services of one host:port different backends (``/image`` and
    ``/identity`` on port 80 of one address, served by two ports behind it). Otherwise, two
    ways to put HAProxy in front of a service, chosen per catalog host:port:

    - ``frontend_map`` ``{service host:port: frontend host:port}``: the service stays, HAProxy
      listens on the frontend and the catalog is updated to point there (``updates``). A
      catalog already updated is recognised, so a second run plans no update.
    - otherwise HAProxy takes the catalog's own host:port and the service listens on
      ``backend_map[host:port]``, by default ``backend_host`` with the same port.

    Returns ``{"rows": the catalog as it will be, "backends": {URL: [host:port]},
    "updates": [{"id", "interface", "service_type", "old", "url"}]}``. Rows without a URL
    are passed on untouched: ``osc-scope table build`` says what is wrong with them.
    """
    if backends:
        return {
            "rows": list(rows),
            "backends": {
                url: [addrs] if isinstance(addrs, str) else list(addrs)
                for url, addrs in backends.items()
            },
            "updates": [],
        }
    backend_map, frontend_map = backend_map or {}, frontend_map or {}
    service_of = {frontend: service for service, frontend in frontend_map.items()}
    result = {"rows": [], "backends": {}, "updates": []}
    for row in rows:
        url = _column(row, "URL", "url")
        if _column(row, "Region", "region_id", "region") != region or not isinstance(url, str):
            result["rows"].append(row)
            continue
        address = _host_port(url)
        if address in frontend_map:
            frontend, backend = frontend_map[address], address
            new_url = url.replace(_netloc(url), frontend, 1)
            result["updates"].append(
                {
                    "id": _column(row, "ID", "id"),
                    "interface": _column(row, "Interface", "interface"),
                    "service_type": _column(row, "Service Type", "service_type"),
                    "old": url,
                    "url": new_url,
                }
            )
            row, url = _with_url(row, new_url), new_url
        elif address in service_of:
            backend = service_of[address]
        else:
            backend = backend_map.get(address) or f"{backend_host}:{address.rsplit(':', 1)[1]}"
        result["rows"].append(row)
        if _column(row, "Enabled", "enabled") is not False:
            result["backends"][url] = [backend] if isinstance(backend, str) else list(backend)
    return result


def _netloc(url):
    return urllib.parse.urlsplit(url).netloc


def os_scope_urls(table, cloud, interface="public"):
    """``{service type: URL}`` of one cloud of a routing table (first endpoint per type)."""
    urls = {}
    for endpoint in table["clouds"][cloud]["endpoints"]:
        if endpoint["interface"] == interface:
            urls.setdefault(endpoint["service_type"], endpoint["url"])
    return urls


def _check_keys(what, given, known):
    unknown = sorted(set(given) - set(known))
    if unknown:  # names only: the values may be secrets
        raise ValueError(
            f"{what}: unknown option(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )


def os_scope_ca_files(accounts, ca_dir):
    """``[{"cloud", "src", "dest"}]``: each remote cloud's own CA file (controller path) and
    where it goes on the cloud; no secret in it, so tasks can loop over it and log."""
    return [
        {"cloud": name, "src": account["cafile"], "dest": f"{ca_dir}/{name}.pem"}
        for name, account in sorted((accounts or {}).items())
        if (account or {}).get("cafile")
    ]


def _remote_account(other, service, password, account, ca_dir):
    """The credentials part of ``[keystone_authtoken:<other>]``."""
    if account is None:  # devstack's way: the service's own name and one shared password
        return {
            "auth_type": "password",
            "username": service["name"],
            "password": password,
            "project_name": "service",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "cafile": None,
            "insecure": None,
        }
    _check_keys(f"os_scope_remote_accounts of {other}", account, ACCOUNT_OPTIONS + ACCOUNT_TLS)
    settings = {"auth_type": "password"}
    settings.update({key: account[key] for key in ACCOUNT_OPTIONS if key in account})
    settings["cafile"] = f"{ca_dir}/{other}.pem" if account.get("cafile") else None
    settings["insecure"] = True if account.get("insecure") is True else None
    return settings


def _trust(other, policy):
    _check_keys(f"os_scope_remote_trust of {other}", policy or {}, TRUST_OPTIONS)
    settings = dict.fromkeys(TRUST_OPTIONS)
    for key, value in (policy or {}).items():
        if isinstance(value, dict):
            value = ",".join(f"{remote}:{local}" for remote, local in value.items())
        settings[key] = value
    return settings


def os_scope_service_settings(table, cloud, service, password, accounts=None, trust=None,
                              ca_dir="/etc/osc-scope/ca"):  # fmt: skip
    """INI settings making one service scope-aware: ``{section: {option: value}}``.

    ``[keystone_authtoken]`` uses the local identity frontend; ``[scoped_authtoken]`` names
    the local cloud and the remote identity clouds; each remote cloud gets a
    ``[keystone_authtoken:<cloud>]`` section with its public identity URL, this cloud's
    account there (``accounts[cloud]``: keystoneauth options, ``cafile`` installed as
    ``<ca_dir>/<cloud>.pem``, ``insecure`` only when true; without one, devstack's way: the
    service's own name and ``password``, ``service`` project) and the trust policy of its
    tokens (``trust[cloud]``; options not given are removed: the default policy).
    ``service["overrides"]`` maps a config section to a service type whose local URL becomes
    that section's ``endpoint_override``. A None value removes the option.
    """
    others = [name for name in table["clouds"] if name != cloud]
    accounts, trust = accounts or {}, trust or {}
    unknown = sorted((set(accounts) | set(trust)) - set(others))
    if unknown:
        raise ValueError(
            f"{cloud}: os_scope_remote_accounts/os_scope_remote_trust name {', '.join(unknown)}, "
            f"not another cloud of the routing table ({', '.join(others) or 'none'})"
        )
    settings = {
        "scoped_authtoken": {"local_cloud": cloud, "remote_clouds": ",".join(others)},
    }
    for other in others:
        identity = os_scope_urls(table, other).get("identity")
        if identity is None:
            raise ValueError(f"cloud {other} has no public identity endpoint")
        account = _remote_account(other, service, password, accounts.get(other), ca_dir)
        settings[f"keystone_authtoken:{other}"] = {
            "auth_type": account.pop("auth_type"),
            "auth_url": identity,
            **account,
            "region_name": other,
            **_trust(other, trust.get(other)),
        }
    local = os_scope_urls(table, cloud)
    if "identity" in local:  # validate local tokens through this cloud's frontend too
        settings["keystone_authtoken"] = {
            "www_authenticate_uri": local["identity"],
            "auth_url": local["identity"],
        }
    for section, service_type in (service.get("overrides") or {}).items():
        if service_type in local:
            settings[section] = {"endpoint_override": local[service_type]}
    return settings


class FilterModule:
    def filters(self):
        return {
            "os_scope_plan": os_scope_plan,
            "os_scope_urls": os_scope_urls,
            "os_scope_service_settings": os_scope_service_settings,
            "os_scope_ca_files": os_scope_ca_files,
        }
