"""A WAN you can break: a cloud in its own network namespace, joined by a link to this one.

Loopback stays the default everywhere; this is for chaos runs and tests that need a link
between clouds they can cut (a partition) and heal, or slow down. Needs root and ``ip``.

- ``Namespace``: a network namespace of its own (its loopback up), removed with every
  process this module started in it.
- ``Link``: a veth pair between this namespace and one ``Namespace``, one address at each
  end (a /30 of 10.213.0.0/16 picked from the PID), with a blackhole route behind it so
  that its addresses never leave the machine. ``cut()`` sets the far end down: the near end
  loses its carrier, packets either way are lost and nothing is refused, as when a WAN link
  breaks; ``heal()`` brings it back. (No nftables or iptables on this machine: cutting the
  link is what partitions.)
- Delay, jitter and loss: ``tc qdisc ... netem`` on the link when the kernel has netem
  (``netem_available``); otherwise ``DelayRelay``, a small user-space TCP relay that holds
  each chunk for the delay before passing it on (``wan_mode`` says which one is used). Not
  every kernel has sch_netem (this machine's does not: "Specified qdisc kind is unknown");
  ``tbf`` and veth do exist everywhere.
"""

import asyncio
import contextlib
import ipaddress
import os
import random
import shutil
import subprocess
import threading

__all__ = ["DelayRelay", "Link", "Namespace", "netem_available", "wan_mode"]

SUBNET = ipaddress.ip_network("10.213.0.0/16")


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def netem_available():
    """Whether ``tc qdisc add ... netem`` works here: tried on a veth pair in a throwaway
    namespace (not every kernel has dummy devices; nothing touches this namespace)."""
    if not shutil.which("tc") or not shutil.which("ip"):
        return False
    name = f"osc-scope-netem-probe-{os.getpid()}"
    if _ip("netns", "add", name, check=False).returncode != 0:
        return False
    try:
        added = _ip("-n", name, "link", "add", "probe0", "type", "veth", "peer", "name",
                    "probe1", check=False)  # fmt: skip
        if added.returncode != 0:
            return False
        tc = ["ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", "probe0", "root",
              "netem", "delay", "1ms"]  # fmt: skip
        return subprocess.run(tc, capture_output=True, check=False).returncode == 0
    finally:
        _ip("netns", "del", name, check=False)


def wan_mode():
    """How delay is emulated on this machine: "netem" or "relay" (user space)."""
    return "netem" if netem_available() else "relay"


class Namespace:
    """A network namespace and the processes started in it; ``close`` removes all."""

    _count = 0

    def __init__(self, label="cloud"):
        Namespace._count += 1
        self.name = f"osc-scope-{os.getpid()}-{Namespace._count}-{label}"
        self.processes = []
        _ip("netns", "add", self.name)
        self.exec_ip("link", "set", "lo", "up")

    def exec_ip(self, *args, check=True):
        return _ip("-n", self.name, *args, check=check)

    def argv(self, argv):
        """``argv`` run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def popen(self, argv, **kwargs):
        process = subprocess.Popen(self.argv(argv), **kwargs)
        self.processes.append(process)
        return process

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)
        _ip("netns", "del", self.name, check=False)


class Link:
    """A veth pair from this namespace to ``namespace``: ``near`` here, ``far`` there."""

    def __init__(self, namespace):
        self.namespace = namespace
        index = (os.getpid() * 7 + Namespace._count) % (SUBNET.num_addresses // 4)
        block = ipaddress.ip_network(f"{SUBNET.network_address + 4 * index}/30")
        self.near, self.far = (str(host) for host in block.hosts())
        tag = f"{os.getpid() % 10000}{Namespace._count}"
        self.device, self.peer = f"oscw{tag}a", f"oscw{tag}b"
        self.block = str(block)
        _ip("link", "add", self.device, "type", "veth", "peer", "name", self.peer)
        _ip("link", "set", self.peer, "netns", namespace.name)
        _ip("addr", "add", f"{self.near}/30", "dev", self.device)
        namespace.exec_ip("addr", "add", f"{self.far}/30", "dev", self.peer)
        # whatever happens to the link, its addresses never leave the machine (without
        # this, the far address would follow the default route while the link is down)
        _ip("route", "add", "blackhole", self.block, "metric", "4000")
        _ip("link", "set", self.device, "up")
        self.heal()

    def cut(self):
        """A partition: the far end goes down; packets either way are lost (the near end
        has no carrier), none is refused."""
        self.namespace.exec_ip("link", "set", self.peer, "down")

    def heal(self):
        self.namespace.exec_ip("link", "set", self.peer, "up")

    def close(self):
        _ip("link", "del", self.device, check=False)  # its peer goes with it
        _ip("route", "del", "blackhole", self.block, "metric", "4000", check=False)


class DelayRelay:
    """A TCP relay holding each chunk for ``delay`` seconds (+ up to ``jitter``) in each
    direction, from ``listen`` (host, port; port 0 picks one) to ``target`` (host, port):
    what netem would do to a link, in user space, for one address."""

    def __init__(self, listen, target, delay=0.05, jitter=0.0):
        self.target, self.delay, self.jitter = target, delay, jitter
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._listen = listen
        self.address = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, *self._listen))
        self.address = server.sockets[0].getsockname()[:2]
        self._server = server
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                await asyncio.sleep(self.delay + random.uniform(0, self.jitter))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closing
                writer.close()

    async def _serve(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        pipes = [self._pipe(reader, up_writer), self._pipe(up_reader, writer)]
        await asyncio.gather(*pipes, return_exceptions=True)

    async def _shutdown(self):
        self._server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def close(self):
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
