"""A loopback cloud for the real ``openstack`` binary: Keystone v3 (token, catalog, OIDC
federation) and an image service, recording the headers and body of every request.

The catalog's endpoints point back at the same server, so every request the client makes
is seen here. One server for the module; each test clears the record first. A second
server (``other_host``) stands for a host outside the cloud.
"""

import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading
import urllib.parse

import pytest

TOKEN = "gAAAAABfakeToken0123456789"
UNSCOPED_TOKEN = "gAAAAABunscoped9876543210"
REGION = "CloudOne"
IDENTITY_MEDIA_TYPE = "application/vnd.openstack.identity-v3+json"
OPENSTACK = pathlib.Path(sys.executable).with_name("openstack")


def _token_body(base, catalog=True):
    token = {
        "methods": ["password"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
        "audit_ids": ["a1"],
    }
    if catalog:
        token["project"] = {"id": "p1", "name": "demo", "domain": {"id": "default"}}
        token["roles"] = [{"id": "r1", "name": "member"}]
        token["catalog"] = [
            _service("identity", "keystone", f"{base}/identity"),
            _service("image", "glance", f"{base}/image"),
            _service("compute", "nova", f"{base}/compute/v2.1"),
            _service("volumev3", "cinderv3", f"{base}/volume/v3/p1"),
        ]
    return {"token": token}


def _service(service_type, name, url):
    endpoint = {"id": f"{name}-pub", "interface": "public", "region": REGION}
    endpoint.update(region_id=REGION, url=url)
    return {"type": service_type, "name": name, "id": f"{name}-id", "endpoints": [endpoint]}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": list(self.headers.items()),
                "body": body,
            }
        )
        return body

    def _reply(self, status, doc, headers=()):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._record()
        base = self.server.base
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        if path in ("/identity", "/identity/v3"):
            version = {
                "id": "v3.14",
                "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": f"{base}/identity/v3/"}],
                "media-types": [
                    {
                        "base": "application/json",
                        "type": "application/vnd.openstack.identity-v3+json",
                    }
                ],
            }
            doc = (
                {"version": version}
                if path.endswith("v3")
                else {"versions": {"values": [version]}}
            )
            return self._reply(200, doc)
        if path in ("/image", "/image/v2") and "CloudNine" in (self.headers["X-Scope"] or ""):
            # what a scope router answers for a cloud its routing table does not have
            message = "unknown cloud 'CloudNine' in the scope of image; known clouds: CloudOne"
            error = {"code": 400, "title": "Bad Request", "message": message}
            return self._reply(400, {"error": error})
        if path in ("/image", "/image/v2"):
            versions = [
                {
                    "id": "v2.16",
                    "status": "CURRENT",
                    "links": [{"rel": "self", "href": f"{base}/image/v2/"}],
                }
            ]
            return self._reply(200, {"versions": versions})
        if path == "/image/v2/images":
            return self._reply(200, {"images": [], "schema": "/v2/schemas/images"})
        return self._reply(404, {"error": {"code": 404, "title": "Not Found", "message": path}})

    def do_DELETE(self):
        self._record()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self._record()
        base = self.server.base
        path = urllib.parse.urlsplit(self.path).path
        if path == "/identity/v3/auth/tokens":
            return self._reply(201, _token_body(base), [("X-Subject-Token", TOKEN)])
        if path == "/idp/token":
            doc = {"access_token": "oidc-access", "token_type": "Bearer", "expires_in": 300}
            if b"id_token" not in body:
                doc["id_token"] = "oidc-id"
            return self._reply(200, doc)
        if path.startswith("/identity/v3/OS-FEDERATION/"):
            doc = _token_body(base, catalog=False)
            return self._reply(201, doc, [("X-Subject-Token", UNSCOPED_TOKEN)])
        return self._reply(404, {"error": {"code": 404, "title": "Not Found", "message": path}})


def _serve(requests):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.requests = requests
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def fake_cloud():
    server, thread = _serve([])
    yield server
    _stop(server, thread)


@pytest.fixture(scope="module")
def other_host(fake_cloud):
    """The same handler on another port: a host that is not the cloud (an OIDC identity
    provider, say). It records into the cloud's list, so the order of requests is kept."""
    server, thread = _serve(fake_cloud.requests)
    yield server
    _stop(server, thread)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One stevedore entry-point cache for all runs, as a user's would be."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def without_plugin(tmp_path_factory):
    """A PYTHONPATH overlay whose copy of osc-scope's metadata lists no OSC plugin:
    importlib.metadata keeps the first distribution of a name, so ``openstack`` run with
    it is plain OpenStackClient (same install, same command)."""
    import importlib.metadata
    import sysconfig

    site = sysconfig.get_paths()["purelib"]  # the installed metadata, not a checkout's egg-info
    (dist,) = importlib.metadata.distributions(name="osc-scope", path=[site])
    overlay = tmp_path_factory.mktemp("no-plugin")
    info = overlay / f"osc_scope-{dist.version}.dist-info"
    info.mkdir()
    info.joinpath("METADATA").write_text(dist.read_text("METADATA"))
    kept, skip = [], False
    for line in dist.read_text("entry_points.txt").splitlines():
        if line.startswith("["):
            skip = line.strip() == "[openstack.cli.extension]"
        if not skip:
            kept.append(line)
    info.joinpath("entry_points.txt").write_text("\n".join(kept) + "\n")
    return {"PYTHONPATH": str(overlay)}


class Runner:
    """Runs the real ``openstack`` against the fake cloud with a clean environment."""

    def __init__(self, server, home, cache):
        self.server = server
        self.home = home
        self.cache = cache

    def clouds_yaml(self, **extra):
        cloud = {
            "auth": {
                "auth_url": f"{self.server.base}/identity/v3",
                "username": "alice",
                "password": "secret",
                "project_name": "demo",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": REGION,
            "identity_api_version": "3",
        }
        cloud.update(extra)
        cloud = {key: value for key, value in cloud.items() if value is not None}
        path = self.home / "clouds.yaml"
        path.write_text(json.dumps({"clouds": {"test": cloud}}))  # JSON is YAML
        return path

    def __call__(self, *args, env=None, clouds=None, timeout=60):
        config = clouds if clouds is not None else self.clouds_yaml()
        environ = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CACHE_HOME": str(self.cache),
            "OS_CLIENT_CONFIG_FILE": str(config),
            "OS_CLOUD": "test",
            "LC_ALL": "C.UTF-8",
        }
        environ.update(env or {})
        self.server.requests.clear()
        return subprocess.run(
            [str(OPENSTACK), *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture
def openstack(fake_cloud, tmp_path, cache_dir):
    return Runner(fake_cloud, tmp_path, cache_dir)
