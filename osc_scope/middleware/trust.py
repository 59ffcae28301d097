"""What a remote identity cloud's tokens may do here: one trust policy per remote cloud.

A token issued by CloudTwo's Keystone is proof of who the user is in CloudTwo, not of
what CloudOne lets them do: CloudTwo's ``admin`` must not become CloudOne's admin. So the
roles of a remote token pass a policy before the service sees them: honoured roles keep
their name, mapped roles take their local name, every other role is dropped, and a token
left with no role is refused. The project and domain of the token can be limited. The
cloud's service tokens (its Nova calling this Glance for a user) keep the service roles
too, unless the policy refuses them.

The policy rewrites the validated token data (what keystonemiddleware turns into
``X-Roles``, ``X-Service-Roles`` and ``keystone.token_auth``); it is applied to every
request after the token cache, which keeps the data as Keystone answered, so a policy
changed by a restart applies at once, even to tokens cached before it (in memcached).

Local tokens never come here.
"""

import dataclasses
import logging

__all__ = ["AUDIT_LOG", "Policy", "Refused", "Verdict", "audit"]

# One line per remote validation: who came from where, which roles were kept and dropped.
AUDIT_LOG = logging.getLogger("osc_scope.middleware.trust")


class Refused(Exception):
    """A validated remote token this cloud's policy does not accept (the message says why)."""

    def __init__(self, message, dropped=()):
        super().__init__(message)
        self.dropped = tuple(dropped)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A remote token after the policy: its data as the service sees it, and the audit."""

    data: dict
    kept: tuple  # local role names
    dropped: tuple  # remote role names


def _names(values):
    return frozenset(value.strip() for value in values if value and value.strip())


@dataclasses.dataclass(frozen=True)
class Policy:
    cloud: str
    section: str  # where it is configured, for messages
    honoured_roles: frozenset = frozenset({"reader", "member"})
    role_mapping: tuple = ()  # (remote, local) pairs, sorted
    accepted_projects: frozenset = frozenset()  # project ids; empty: any
    accepted_domains: frozenset = frozenset()  # domain ids or names; empty: any
    accept_service_tokens: bool = True
    service_roles: frozenset = frozenset({"service"})  # honoured too on service tokens

    @classmethod
    def from_options(cls, cloud, section, options, service_roles=("service",)):
        """Build from the options of ``opts.TRUST_OPTS``; a bad mapping is a ValueError."""
        mapping = {}
        for remote, local in (options.get("role_mapping") or {}).items():
            remote, local = (remote or "").strip(), (local or "").strip()
            if not remote or not local:
                raise ValueError(
                    f"[{section}] role_mapping: '{remote}:{local}' needs a remote and a "
                    "local role name, e.g. admin:member"
                )
            mapping[remote] = local
        return cls(
            cloud=cloud,
            section=section,
            honoured_roles=_names(options.get("honoured_roles") or ()),
            role_mapping=tuple(sorted(mapping.items())),
            accepted_projects=_names(options.get("accepted_projects") or ()),
            accepted_domains=_names(options.get("accepted_domains") or ()),
            accept_service_tokens=bool(options.get("accept_service_tokens")),
            service_roles=_names(service_roles or ()),
        )

    def describe(self):
        """One line for the service's start-up log."""
        mapping = ",".join(f"{r}->{lo}" for r, lo in self.role_mapping) or "none"
        return (
            f"{self.cloud}: honoured roles {','.join(sorted(self.honoured_roles)) or 'none'}, "
            f"mapping {mapping}, projects {','.join(sorted(self.accepted_projects)) or 'any'}, "
            f"domains {','.join(sorted(self.accepted_domains)) or 'any'}, service tokens "
            f"{'accepted' if self.accept_service_tokens else 'refused'}"
        )

    # -- per token -------------------------------------------------------------

    def local_roles(self, remote_names, service=False):
        """``(kept local names, dropped remote names)`` for a token's role names."""
        mapping = dict(self.role_mapping)
        honoured = self.honoured_roles | (self.service_roles if service else frozenset())
        kept, dropped = [], []
        for name in remote_names:
            local = mapping.get(name) or (name if name in honoured else None)
            if local is None:
                dropped.append(name)
            elif local not in kept:
                kept.append(local)
        return tuple(kept), tuple(dropped)

    def apply(self, data, service=False):
        """The ``Verdict`` on v3 token ``data`` (not modified), or ``Refused`` saying why."""
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, dict):
            raise Refused(f"token of cloud {self.cloud} is not a Keystone v3 token")
        if service and not self.accept_service_tokens:
            raise Refused(
                f"service tokens of cloud {self.cloud} are not accepted here "
                f"(accept_service_tokens in [{self.section}])"
            )
        self._check_scope(token)
        roles = [role for role in token.get("roles") or () if isinstance(role, dict)]
        kept, dropped = self.local_roles([role.get("name") for role in roles], service)
        if not kept:
            had = ", ".join(sorted(str(name) for name in dropped)) or "none"
            raise Refused(
                f"token of cloud {self.cloud} has no role honoured here (its roles: {had}; "
                f"honoured_roles and role_mapping in [{self.section}])",
                dropped,
            )
        ids = {}
        mapping = dict(self.role_mapping)
        for role in roles:
            local = mapping.get(role.get("name")) or role.get("name")
            if local in kept and local not in ids:
                # the id stays the remote role's: it names where the grant came from
                ids[local] = role.get("id")
        rewritten = dict(token)
        rewritten["roles"] = [{"id": ids[name], "name": name} for name in kept]
        # the remote project is never this cloud's admin project (X-Is-Admin-Project)
        rewritten["is_admin_project"] = False
        return Verdict(data={**data, "token": rewritten}, kept=kept, dropped=dropped)

    def _check_scope(self, token):
        if token.get("system"):
            raise Refused(f"system-scoped tokens of cloud {self.cloud} are not accepted here")
        project = token.get("project") if isinstance(token.get("project"), dict) else None
        domain = token.get("domain") if isinstance(token.get("domain"), dict) else None
        if project is not None:
            domain = project.get("domain") if isinstance(project.get("domain"), dict) else {}
        if self.accepted_projects and (
            project is None or project.get("id") not in self.accepted_projects
        ):
            what = f"project {project.get('id')}" if project else "a token without a project"
            raise Refused(
                f"{what} of cloud {self.cloud} is not accepted here "
                f"(accepted_projects in [{self.section}])"
            )
        if self.accepted_domains and (
            domain is None or not ({domain.get("id"), domain.get("name")} & self.accepted_domains)
        ):
            what = f"domain {domain.get('id')}" if domain else "a token without a domain"
            raise Refused(
                f"{what} of cloud {self.cloud} is not accepted here "
                f"(accepted_domains in [{self.section}])"
            )


def audit(cloud, data, kept=(), dropped=(), service=False, refused=None):
    """Log one line for a remote validation: cloud, user, project, roles; never the token."""
    token = data.get("token") if isinstance(data, dict) else None
    token = token if isinstance(token, dict) else {}
    user = (token.get("user") or {}).get("id")
    project = (token.get("project") or {}).get("id") or (
        f"domain:{(token.get('domain') or {}).get('id')}" if token.get("domain") else None
    )
    AUDIT_LOG.info(
        "remote %s token %s: cloud=%s user=%s project=%s roles_kept=%s roles_dropped=%s%s",
        "service" if service else "user",
        "refused" if refused else "accepted",
        cloud,
        user,
        project,
        ",".join(sorted(kept)) or "-",
        ",".join(sorted(str(name) for name in dropped)) or "-",
        f" reason={refused}" if refused else "",
    )
