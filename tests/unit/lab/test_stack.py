"""The lab's services, declared once: what follows from a declaration, and the job plan."""

import dataclasses
import runpy
import signal

import pytest

from osc_scope.lab import layout, orchestrate, stack
from osc_scope.lab.service import Daemon, Service


def _noop(ctx, cloud):
    return []


@pytest.fixture
def cloud(tmp_path):
    return layout.Lab(str(tmp_path), ("CloudOne", "CloudTwo")).cloud("CloudTwo")


def test_a_declaration_gives_the_uwsgi_ini_and_the_process_specs(cloud):
    service = Service(
        name="thing",
        service_type="thing-type",
        catalog_path="/thing/v1",
        mount="/thing",
        frontend_port=80,
        backend_port=7001,
        wsgi="thing.wsgi:application",
        env={"OS_THING_CONFIG_DIR": "{etc}", "OS_THING_FILES": "a.conf"},
        databases=("thing",),
        write_config=_noop,
        migrate=_noop,
        api_name="thing-api",
        daemons=(Daemon("thing-worker", "a.conf"),),
    )
    service.configure(None, cloud)
    lines = open(service.etc(cloud, "uwsgi.ini")).read().splitlines()
    assert "http-socket = 127.0.0.2:7001" in lines
    assert f"mount = /thing={service.etc(cloud, 'wsgi.py')}" in lines
    assert f"env = OS_THING_CONFIG_DIR={cloud.path('etc', 'thing')}" in lines
    assert "env = OS_THING_FILES=a.conf" in lines
    api, worker = service.processes(cloud)
    assert (api.name, api.address, api.port) == ("CloudTwo-thing-api", "127.0.0.2", 7001)
    assert api.argv[-2:] == ["--ini", service.etc(cloud, "uwsgi.ini")]
    assert api.stop_signal == signal.SIGINT  # uWSGI lingers on SIGTERM
    assert worker.name == "CloudTwo-thing-worker"
    assert worker.argv[1:] == ["--config-file", service.etc(cloud, "a.conf")]
    assert worker.port is None and worker.config_dir == api.config_dir


def test_the_served_file_imports_an_application_a_module_builds_on_first_access(
    cloud, tmp_path, monkeypatch
):
    """uWSGI looks ``application`` up in the namespace of what it loads, where a module's
    ``__getattr__`` (osc_scope.middleware.placement's) is not asked; an import is."""
    (tmp_path / "lazy_app.py").write_text(
        "def __getattr__(name):\n"
        "    if name == 'application':\n"
        "        return 'built'\n"
        "    raise AttributeError(name)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    placement = stack.by_type("placement")
    assert placement.wsgi == "osc_scope.middleware.placement:application"
    service = dataclasses.replace(placement, wsgi="lazy_app:application", write_config=_noop)
    service.configure(None, cloud)
    namespace = runpy.run_path(service.etc(cloud, "wsgi.py"))
    assert namespace["application"] == "built"


def test_the_address_plan_and_service_users_follow_from_the_declarations():
    assert layout.SERVICES["compute"] == ("/compute/v2.1", 80, 8775)
    assert set(layout.SERVICES) == {s.service_type for s in stack.SERVICES}
    assert stack.SERVICE_USERS == ("glance", "placement", "nova", "neutron")
    names = [s.name for s in stack.SERVICES]
    ports = [s.backend_port for s in stack.SERVICES]
    assert len(set(names)) == len(names) and len(set(ports)) == len(ports)
    assert not {s.backend_port for s in stack.SERVICES} & {s.frontend_port for s in stack.SERVICES}


class _Recorder:
    """Stands for ``_Graph``: records each job and what it needs, runs nothing."""

    def __init__(self):
        self.needs = {}

    def add(self, name, needs, function, log):
        assert name not in self.needs, f"two jobs named {name}"
        assert all(n in self.needs for n in needs), f"{name} needs an unknown job: {needs}"
        self.needs[name] = list(needs)
        return name

    def before(self, name):
        """Every job that must be done before ``name``."""
        seen, todo = set(), list(self.needs[name])
        while todo:
            job = todo.pop()
            if job not in seen:
                seen.add(job)
                todo += self.needs[job]
        return seen


@pytest.mark.parametrize("clouds", [("CloudOne", "CloudTwo"), ("A", "B", "C")])
def test_the_job_plan_follows_the_declarations(tmp_path, clouds):
    lab = layout.Lab(str(tmp_path), clouds)
    graph = _Recorder()
    orchestrate._plan(orchestrate._Run(lab, progress=lambda line: None), graph)
    for name in clouds:
        # processes are jobs of their own name, so a failure names the process and its log
        for service in stack.SERVICES:
            assert f"schema-{service.name}" in graph.before(
                f"{name}-{service.api_name or service.name}"
            )
        assert {"schema-nova", "rabbitmq"} <= graph.before(f"{name}-nova-conductor")
        assert {f"{c}-keystone-setup" for c in clouds} <= graph.before("routers")
        assert {f"{c}-keystone-port" for c in clouds} <= graph.before("routers")
        compute = graph.before(f"{name}-nova-compute")
        assert {"routers", f"{name}-nova-conductor", f"{name}-nova-scheduler"} <= compute
        ready = graph.before(f"{name}-resources")
        assert {f"{name}-nova-compute", f"{name}-neutron-port", f"{name}-nova-api-port"} <= ready
    assert len(graph.needs) == 2 + len(stack.SERVICES) + len(clouds) * 15


def test_backends_are_given_for_the_lab_urls_the_catalogs_list(tmp_path):
    from osc_scope.lab import routers
    from osc_scope.routing.catalog import Endpoint

    lab = layout.Lab(str(tmp_path), ("CloudOne", "CloudTwo"))
    listed = [
        Endpoint("CloudOne", "image", "public", "http://127.0.0.1/image"),
        Endpoint("CloudTwo", "network", "public", "http://127.0.0.2:9696/"),
        Endpoint("CloudTwo", "image", "public", "http://elsewhere/image"),  # not the lab's
        Endpoint("CloudNine", "image", "public", "http://127.0.0.9/image"),  # not a lab cloud
    ]
    assert routers._backends(lab, listed) == {
        "http://127.0.0.1/image": ["127.0.0.1:9293"],
        "http://127.0.0.2:9696/": ["127.0.0.2:9697"],
    }
