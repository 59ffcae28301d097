"""The lab's WAN (``osc-scope lab up --wan``): each cloud's edge in a network namespace of its
own, one link per pair of clouds, and a partition you can make and heal.

The OpenStack services stay on loopback. What crosses from one cloud to another is always
a router forwarding to the other cloud's router (Nova to another cloud's Glance, a token
validated by another cloud's Keystone, a fan-out's branch): so in WAN mode each router
binds its frontends a second time on its cloud's WAN address, inside the cloud's
namespace, and connects to the other clouds from that namespace (HAProxy's own
``namespace`` keyword, on ``bind`` and ``server``). Only traffic between clouds, and all of
it, crosses the links.

Inside the namespaces (nothing is added to this one, so two labs never clash):

- cloud *i* has the address ``10.213.0.<i+1>`` on its loopback, and a device, ``wan-cut``
  (a veth whose peer stays down, without ARP: not every kernel has dummy devices), that
  drops whatever is routed to it;
- each pair of clouds *i*, *j* has a veth pair: ``wan<j>`` in *i*'s namespace, ``wan<i>``
  in *j*'s, and a host route to the other's address through it;
- a partition routes each side's route to the other through ``wan-cut``: packets are
  lost either way and nothing is refused, as when a WAN link breaks, so connections hang
  until the routers' timeouts and checks give up. Healing routes them through the link
  again;
- delay, jitter and loss: ``tc netem`` on both ends of every link (``--wan-netem``, netem's
  own arguments, each direction), where the kernel has netem (this machine's does not:
  ``bench/wan_seed.py`` measures a delayed link with a user-space relay instead).

Needs root and iproute2, as the lab does.
"""

import copy
import dataclasses
import hashlib
import ipaddress
import itertools
import os
import shlex
import shutil
import subprocess
import urllib.parse

from osc_scope.lab import wan
from osc_scope.lab.errors import LabError

__all__ = ["Mesh", "rehost_cloud"]

NETWORK = ipaddress.ip_network("10.213.0.0/24")
CUT_DEVICE = "wan-cut"
NETNS_DIR = "/run/netns"  # where iproute2 keeps named namespaces


def _run(argv, check=True):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and result.returncode:
        raise LabError(f"{' '.join(argv)}: {result.stderr.strip() or result.returncode}")
    return result


@dataclasses.dataclass(frozen=True)
class Mesh:
    """The WAN of the lab in ``workdir`` between ``clouds`` (names, in the lab's order)."""

    workdir: str
    clouds: tuple

    @property
    def _tag(self):
        return hashlib.sha256(self.workdir.encode()).hexdigest()[:6]

    def namespace(self, cloud):
        return f"osc-scope-{self._tag}-{cloud}"

    def address(self, cloud):
        return str(NETWORK[self.clouds.index(cloud) + 1])

    def device(self, cloud, peer):
        """The end of the link to ``peer`` in ``cloud``'s namespace."""
        return f"wan{self.clouds.index(peer)}"

    def pairs(self):
        return list(itertools.combinations(self.clouds, 2))

    # -- building and removing

    def _ip(self, cloud, *args, check=True):
        return _run(["ip", "-n", self.namespace(cloud), *args], check=check)

    def _exists(self, cloud):
        # the file ``ip netns add`` makes, and HAProxy's ``namespace`` opens: no iproute2
        # needed to know, so a lab without a WAN never runs ``ip`` (nor needs it installed)
        return os.path.exists(os.path.join(NETNS_DIR, self.namespace(cloud)))

    def _has_device(self, cloud, device):
        return self._ip(cloud, "link", "show", device, check=False).returncode == 0

    def up(self, netem=""):
        """Create what is missing (namespaces, links, routes); leave partitions as they
        are; set every link's netem (none when ``netem`` is empty)."""
        if not shutil.which("ip"):
            raise LabError("--wan needs iproute2: apt-get install iproute2")
        if netem and not wan.netem_available():  # before anything is made
            raise LabError(
                "--wan-netem needs the kernel's netem qdisc (sch_netem), which this kernel "
                "lacks (try: modprobe sch_netem); bench/wan_seed.py measures a delayed link "
                "without it"
            )
        for cloud in self.clouds:
            if not self._exists(cloud):
                _run(["ip", "netns", "add", self.namespace(cloud)])
                self._ip(cloud, "link", "set", "lo", "up")
                self._ip(cloud, "addr", "add", f"{self.address(cloud)}/32", "dev", "lo")
                # a dead end: its peer stays down (no carrier), so what is routed to it
                # is dropped; no ARP, so nothing reports the destination unreachable
                self._ip(cloud, "link", "add", CUT_DEVICE, "type", "veth", "peer", "name",
                         f"{CUT_DEVICE}-peer")  # fmt: skip
                self._ip(cloud, "link", "set", CUT_DEVICE, "arp", "off", "up")
        for one, two in self.pairs():
            if not (self._has_device(one, self.device(one, two))
                    and self._has_device(two, self.device(two, one))):  # fmt: skip
                self._link(one, two)
        for one, two in self.pairs():
            for near, far in ((one, two), (two, one)):
                if not self._ip(near, "route", "show", self.address(far), check=False).stdout:
                    self._route(near, far, self.device(near, far))
        self._shape(netem)

    def _link(self, one, two):
        for cloud, peer in ((one, two), (two, one)):
            self._ip(cloud, "link", "del", self.device(cloud, peer), check=False)
        _run(["ip", "link", "add", self.device(one, two), "netns", self.namespace(one),
              "type", "veth", "peer", "name", self.device(two, one),
              "netns", self.namespace(two)])  # fmt: skip
        for cloud, peer in ((one, two), (two, one)):
            self._ip(cloud, "link", "set", self.device(cloud, peer), "up")
            self._route(cloud, peer, self.device(cloud, peer))

    def _route(self, cloud, peer, device):
        self._ip(cloud, "route", "replace", f"{self.address(peer)}/32", "dev", device,
                 "src", self.address(cloud))  # fmt: skip

    def _shape(self, netem):
        for one, two in self.pairs():
            for cloud, peer in ((one, two), (two, one)):
                tc = ["ip", "netns", "exec", self.namespace(cloud), "tc", "qdisc"]
                device = ["dev", self.device(cloud, peer), "root"]
                if netem:
                    _run([*tc, "replace", *device, "netem", *shlex.split(netem)])
                else:
                    _run([*tc, "del", *device], check=False)  # none there: nothing to do

    def down(self):
        """Remove every namespace there is (their links go with them)."""
        for cloud in self.clouds:
            if self._exists(cloud):
                _run(["ip", "netns", "del", self.namespace(cloud)], check=False)

    # -- partitions

    def _check_pair(self, one, two):
        for cloud in (one, two):
            if cloud not in self.clouds:
                raise LabError(f"{cloud} is not a cloud of this lab ({', '.join(self.clouds)})")
            if not self._exists(cloud):
                raise LabError("the lab has no WAN (start it with: osc-scope lab up --wan)")
        if one == two:
            raise LabError(f"a link joins two clouds: {one} twice")

    def cut(self, one, two):
        """Partition ``one`` from ``two``: everything between them is lost, both ways."""
        self._check_pair(one, two)
        for near, far in ((one, two), (two, one)):
            self._route(near, far, CUT_DEVICE)

    def heal(self, one, two):
        self._check_pair(one, two)
        for near, far in ((one, two), (two, one)):
            self._route(near, far, self.device(near, far))

    def links(self):
        """``[(one, two, state)]``, state "up", "cut" or "missing"."""
        states = []
        for one, two in self.pairs():
            route = self._ip(one, "route", "show", self.address(two), check=False).stdout
            if not route:
                state = "missing"
            else:
                state = "cut" if f"dev {CUT_DEVICE}" in route else "up"
            states.append((one, two, state))
        return states


def rehost_cloud(table, cloud, host):
    """The routing table (its JSON form) with ``cloud``'s frontends and endpoint URLs moved
    to ``host``, same ports: where the other clouds reach it."""
    moved = copy.deepcopy(table)

    def rehost(url):
        parts = urllib.parse.urlsplit(url)
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    shape = moved["clouds"][cloud]
    shape["frontends"] = [rehost(url) for url in shape["frontends"]]
    for endpoint in shape["endpoints"]:
        endpoint["url"] = rehost(endpoint["url"])
    return moved
