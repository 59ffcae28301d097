"""``lab up``: which part of the lab waits for which.

Every step is a job that starts as soon as the jobs it needs are done (on 2 cores, waiting
for a fixed phase wastes seconds):

  configs, PostgreSQL, RabbitMQ (started, not waited for)
  schema-<service>      first cloud migrated, the others copied      (all five in parallel)
  <cloud>-keystone-setup  bootstrap + users + catalog                 needs schema-keystone
  <cloud>-<service>     the API under uWSGI                           needs its schema
  <cloud>-nova-conductor, -scheduler                                  + RabbitMQ
  routers               catalogs -> table -> haproxy.cfg -> HAProxy   needs every Keystone
  <cloud>-nova-compute                                                needs routers, conductor
  <cloud>-resources     flavor, network, image; wait for the compute  needs everything

With ``--wan``, the namespaces and links of the lab's WAN (``mesh``) are made first: the
routers bind in them.

The jobs follow from the services' declarations (``stack.SERVICES``); a job is named once
(``_job``) and the jobs that need it hold the name it returned. Each finished one-time job
leaves a marker of that name in ``DIR/state``, so ``lab up`` again only starts processes.
"""

import concurrent.futures
import dataclasses
import functools
import os
import time

from osc_scope.lab import (
    bytecode,
    clouds_yaml,
    common,
    credentials,
    layout,
    nova,
    postgres,
    preflight,
    processes,
    rabbitmq,
    resources,
    routers,
    schema,
    schema_cache,
    stack,
)
from osc_scope.lab.errors import LabError

__all__ = ["up"]


class _Run:
    def __init__(self, lab, progress):
        self.lab = lab
        self.progress = progress
        self.start = time.monotonic()
        self.procs = processes.ProcessTable(lab.path("run"), lab.path("log"))
        self.creds = credentials.load(
            lab.path("secrets.json"), lab.cloud_names, stack.SERVICE_USERS
        )
        self.pg = postgres.Postgres(lab, self.procs)
        self.schemas = schema_cache.SchemaCache(
            schema_cache.cache_dir(), postgres.bin_dir(), self.pg.client_args()
        )
        self.rabbit = rabbitmq.RabbitMQ(lab, self.procs, self.creds.rabbit_password)
        self.ctx = common.Context(
            lab, self.creds, self.pg.url, self.rabbit.transport_url, stack.SERVICES
        )

    def say(self, message):
        self.progress(f"[{time.monotonic() - self.start:5.1f} s] {message}")

    def done(self, step):
        return os.path.exists(self.lab.path("state", f"{step}.done"))

    def mark(self, step):
        os.makedirs(self.lab.path("state"), exist_ok=True)
        with open(self.lab.path("state", f"{step}.done"), "w") as stream:
            stream.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))

    def once(self, step, function):
        """Run a one-time step unless a marker says an earlier ``lab up`` did."""
        if not self.done(step):
            function()
            self.mark(step)

    def ensure(self, spec):
        """Start a process; restart it when its config changed since it was started."""
        state = self.procs.ensure(
            spec.name,
            spec.argv,
            common.config_digest(spec.config_dir),
            cwd=self.lab.workdir,
            stop_signal=spec.stop_signal,
        )
        if state == "restarted":
            self.say(f"{spec.name}: config changed, restarted")

    def wait_port(self, spec, timeout=60):
        try:
            processes.wait_for_port(
                spec.address,
                spec.port,
                timeout,
                alive=lambda: not self.procs.exited(spec.name),
                what=spec.name,
            )
        except processes.LabProcessError as exc:
            raise LabError(str(exc), self.procs.log_file(spec.name)) from None


def _check_can_run(lab):
    if os.geteuid() != 0:
        raise LabError(
            "the lab needs root: it binds port 80 of 127.0.0.x and runs PostgreSQL "
            "as the postgres user (run it with sudo)"
        )
    for cloud in lab.clouds:
        for port in cloud.frontend_ports():
            if processes.port_is_open(cloud.address, port) and not _is_ours(lab, cloud):
                raise LabError(
                    f"{cloud.address}:{port} is taken by another program "
                    f"(is a lab running from another --workdir?)"
                )


def _is_ours(lab, cloud):
    procs = processes.ProcessTable(lab.path("run"), lab.path("log"))
    return procs.alive(routers.haproxy_name(cloud))


def up(workdir, cloud_names, progress=print, wan=None, wan_netem=None):
    """Build (first time) and start the lab; returns the seconds it took.

    ``wan`` (True/False) and ``wan_netem`` change the lab's WAN (osc_scope.lab.mesh); None
    keeps what the lab had. Turned on or off on a running lab, the routers reload."""
    preflight.check()
    workdir = os.path.abspath(workdir)
    saved = layout.Lab.load(workdir)
    if saved is not None and cloud_names and tuple(cloud_names) != saved.cloud_names:
        raise LabError(
            f"{workdir} holds a lab of {', '.join(saved.cloud_names)}; "
            "use another --workdir for other clouds (or remove it)"
        )
    lab = saved or layout.Lab(workdir, tuple(cloud_names or layout.DEFAULT_CLOUDS))
    changes = {"wan": wan, "wan_netem": wan_netem}
    lab = dataclasses.replace(lab, **{k: v for k, v in changes.items() if v is not None})
    if lab.wan_netem and not lab.wan:
        raise LabError("--wan-netem shapes the links of the lab's WAN: add --wan")
    _check_can_run(lab)
    lab.save()
    os.chmod(workdir, 0o755)  # the postgres user walks through it
    run = _Run(lab, progress)
    run.say(f"lab in {workdir}: {', '.join(f'{c.name} {c.address}' for c in lab.clouds)}")
    bytecode.ensure(lab.path("log", "bytecode.log"), run.say)

    for cloud in lab.clouds:
        for service in stack.SERVICES:
            service.configure(run.ctx, cloud)
    clouds_yaml.write(lab, run.creds)
    run.say("configs written")

    if lab.wan:
        lab.mesh.up(lab.wan_netem)
        shaped = f", netem {lab.wan_netem}" if lab.wan_netem else ""
        run.say(f"WAN: each cloud's edge in its own network namespace{shaped}")

    _step(run, "postgres", run.procs.log_file("postgres"), _start_postgres, run)
    run.rabbit.start()
    graph = _Graph(run)
    try:
        _plan(run, graph)
        graph.wait()
    finally:
        graph.close()
    if not lab.wan:
        lab.mesh.down()  # left from a lab that had one: the routers no longer use it
    return time.monotonic() - run.start


def _start_postgres(run):
    run.pg.init()
    run.pg.start()
    run.pg.wait()
    run.say("postgresql ready")


def _step(run, what, log, function, *args):
    try:
        return function(*args)
    except LabError:
        raise
    except postgres.PostgresError as exc:  # says what to fix; there is no log yet
        raise LabError(f"{what}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - reported in one line with the log to read
        raise LabError(f"{what}: {exc}", log) from exc


class _DependencyFailed(Exception):
    pass


class _Graph:
    """Jobs that start as soon as the jobs they need are done (threads: they mostly wait
    for other processes). The first real failure is the one reported. When each job ran
    is written to ``DIR/log/lab-up-jobs.log``: what a slow ``lab up`` waited for."""

    def __init__(self, run):
        self.run = run
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=32)
        self.jobs = {}
        self.failures = []
        self.times = {}  # name -> (started, ended), seconds since lab up started

    def add(self, name, needs, function, log):
        """Submit a job; returns ``name``, what the jobs that need this one give."""
        if name in self.jobs:
            raise ValueError(f"two jobs named {name}")
        needs = [self.jobs[n] for n in needs]

        def body():
            for future in needs:
                try:
                    future.result()
                except Exception:  # noqa: BLE001
                    raise _DependencyFailed() from None
            started = time.monotonic() - self.run.start
            try:
                return function()
            except Exception as exc:  # noqa: BLE001
                error = exc if isinstance(exc, LabError) else LabError(f"{name}: {exc}", log)
                self.failures.append(error)
                raise error from exc
            finally:
                self.times[name] = (started, time.monotonic() - self.run.start)

        self.jobs[name] = self.pool.submit(body)
        return name

    def wait(self):
        concurrent.futures.wait(self.jobs.values())
        os.makedirs(self.run.lab.path("log"), exist_ok=True)
        with open(self.run.lab.path("log", "lab-up-jobs.log"), "w") as stream:
            stream.write("# started  ended  job (seconds since lab up started)\n")
            for name, (started, ended) in sorted(self.times.items(), key=lambda i: i[1]):
                stream.write(f"{started:7.1f} {ended:7.1f}  {name}\n")
        if self.failures:
            raise self.failures[0]

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


def _job(*parts):
    """The name of a job of ``lab up`` (and of the marker a one-time job leaves)."""
    return "-".join(parts)


def _plan(run, graph):
    lab, procs = run.lab, run.procs
    schemas = {service: _schema_job(run, graph, service) for service in stack.SERVICES}
    bus = graph.add(_job("rabbitmq"), [], run.rabbit.wait, procs.log_file("rabbitmq"))

    serving = {}  # (cloud, service) -> the jobs after which it answers, set up
    started = {}  # (cloud, service) -> the jobs that started its daemons
    late = []  # (cloud, service, daemon): started once the routers are up
    for cloud in lab.clouds:
        for service in stack.SERVICES:
            needs = [schemas[service]]
            api = service.api(cloud)
            start = _process_job(run, graph, api, needs)
            serving[cloud.name, service] = [
                graph.add(_job(api.name, "port"), [start],
                          functools.partial(run.wait_port, api), procs.log_file(api.name))
            ]  # fmt: skip
            if service.setup is not None:
                serving[cloud.name, service].append(_setup_job(run, graph, cloud, service, needs))
            started[cloud.name, service] = [
                _process_job(run, graph, service.daemon(cloud, daemon), [*needs, bus])
                for daemon in service.daemons
                if not daemon.after_routers
            ]
            late += [(cloud, service, d) for d in service.daemons if d.after_routers]

    identity = stack.by_type("identity")  # the routing table comes from every catalog
    keystones = [job for cloud in lab.clouds for job in serving[cloud.name, identity]]
    built = graph.add(_job("routers"), keystones, functools.partial(_routing, run),
                      lab.path("routing"))  # fmt: skip
    for cloud, service, daemon in late:
        needs = [built, *started[cloud.name, service]]
        started[cloud.name, service].append(
            _process_job(run, graph, service.daemon(cloud, daemon), needs)
        )
    for index, cloud in enumerate(lab.clouds):
        needs = [built]
        for service in stack.SERVICES:
            needs += serving[cloud.name, service] + started[cloud.name, service]
        _resources_job(run, graph, cloud, index, needs)


def _schema_job(run, graph, service):
    """The service's databases in every cloud (one-time)."""
    name = _job("schema", service.name)

    def prepare():
        how = schema.prepare(run.ctx, run.pg, service, run.schemas)
        run.say(f"schema: {service.name} {how}")

    return graph.add(name, [], functools.partial(run.once, name, prepare),
                     schema.log_path(run.lab, service))  # fmt: skip


def _process_job(run, graph, spec, needs):
    """Start (or restart, when its config changed) one long-running process."""
    return graph.add(_job(spec.name), needs, functools.partial(run.ensure, spec),
                     run.procs.log_file(spec.name))  # fmt: skip


def _setup_job(run, graph, cloud, service, needs):
    """The service's one-time setup in ``cloud`` (Keystone: bootstrap, users, catalog)."""
    name = _job(cloud.process_name(service.name), "setup")
    log = run.procs.log_file(name)

    def setup():
        argv, stdin_text = service.setup(run.ctx, cloud)
        schema.run_logged(argv, log, what=f"{cloud.name} {service.name} setup",
                          stdin_text=stdin_text)  # fmt: skip

    return graph.add(name, needs, functools.partial(run.once, name, setup), log)


def _routing(run):
    """Catalogs -> routing table -> each cloud's haproxy.cfg -> its HAProxy."""
    table = routers.build_table(run.lab, run.creds)
    for cloud in run.lab.clouds:
        release = routers.render(run.lab, table, cloud)
        state = routers.start(run.lab, run.procs, cloud, release)
        if state in ("reloaded", "restarted"):
            run.say(f"{routers.haproxy_name(cloud)}: routing changed, {state}")
        if routers.start_fanout(run.lab, run.procs, cloud, release) == "restarted":
            run.say(f"{routers.fanout_name(cloud)}: configuration changed, restarted")
    run.say(f"haproxy ready (routing table {run.lab.path('routing', 'table.json')})")


def _resources_job(run, graph, cloud, index, needs):
    """Flavor, network (and the image in the last cloud), then wait for nova-compute."""
    lab, procs = run.lab, run.procs
    name = _job(cloud.name, "resources")
    compute = cloud.process_name(nova.COMPUTE.binary)
    with_image = cloud.name == lab.clouds[-1].name

    def demo():
        conn = resources.connect(lab, cloud.name)

        def create():
            resources.flavor(conn)
            resources.network(conn, index)
            if with_image:
                resources.image(conn)

        run.once(name, create)
        resources.wait_compute(
            conn, lambda: _host_mapped(run, cloud), lambda: procs.alive(compute)
        )
        image = ", image" if with_image else ""
        run.say(f"{cloud.name}: ready (nova-compute up; flavor, network{image})")

    return graph.add(name, needs, demo, procs.log_file(compute))


def _host_mapped(run, cloud):
    rows = run.pg.query(
        "SELECT count(*) FROM host_mappings WHERE host = %s",
        (cloud.compute_host,),
        database=cloud.database("nova_api"),
    )
    return rows[0][0] > 0
