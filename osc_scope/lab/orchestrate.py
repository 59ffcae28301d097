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

Each finished one-time step leaves a marker in ``DIR/state``, so ``lab up`` again only
starts processes.
"""

import concurrent.futures
import functools
import json
import os
import signal
import time

from osc_scope.lab import (
    clouds_yaml,
    common,
    credentials,
    glance,
    keystone,
    layout,
    neutron,
    nova,
    placement,
    postgres,
    processes,
    rabbitmq,
    resources,
    routers,
    schema,
)
from osc_scope.lab.errors import LabError

__all__ = ["up"]

SERVICE_MODULES = (keystone, glance, placement, nova, neutron)


class _Run:
    def __init__(self, lab, progress):
        self.lab = lab
        self.progress = progress
        self.start = time.monotonic()
        self.procs = processes.ProcessTable(lab.path("run"), lab.path("log"))
        self.creds = credentials.load(lab.path("secrets.json"), lab.cloud_names)
        self.pg = postgres.Postgres(lab, self.procs)
        self.rabbit = rabbitmq.RabbitMQ(lab, self.procs, self.creds.rabbit_password)
        self.ctx = common.Context(lab, self.creds, self.pg.url, self.rabbit.transport_url)

    def say(self, message):
        self.progress(f"[{time.monotonic() - self.start:5.1f} s] {message}")

    def done(self, step):
        return os.path.exists(self.lab.path("state", f"{step}.done"))

    def mark(self, step):
        os.makedirs(self.lab.path("state"), exist_ok=True)
        with open(self.lab.path("state", f"{step}.done"), "w") as stream:
            stream.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))

    def ensure(self, spec, config_dir=None):
        """Start a process; restart it when its config changed since it was started."""
        state = self.procs.ensure(
            spec.name,
            spec.argv,
            common.config_digest(config_dir) if config_dir else "",
            env=spec.env,
            cwd=self.lab.workdir,
            stop_signal=signal.SIGINT if spec.port else signal.SIGTERM,  # uWSGI: SIGINT
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


def _etc(cloud, module):
    return cloud.path("etc", module.__name__.rsplit(".", 1)[-1])


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


def up(workdir, cloud_names, progress=print):
    """Build (first time) and start the lab; returns the seconds it took."""
    workdir = os.path.abspath(workdir)
    saved = layout.Lab.load(workdir)
    if saved is not None and cloud_names and tuple(cloud_names) != saved.cloud_names:
        raise LabError(
            f"{workdir} holds a lab of {', '.join(saved.cloud_names)}; "
            "use another --workdir for other clouds (or remove it)"
        )
    lab = saved or layout.Lab(workdir, tuple(cloud_names or layout.DEFAULT_CLOUDS))
    _check_can_run(lab)
    lab.save()
    os.chmod(workdir, 0o755)  # the postgres user walks through it
    run = _Run(lab, progress)
    run.say(f"lab in {workdir}: {', '.join(f'{c.name} {c.address}' for c in lab.clouds)}")

    for cloud in lab.clouds:
        for module in SERVICE_MODULES:
            module.write_config(run.ctx, cloud)
    clouds_yaml.write(lab, run.creds)
    middleware = common.authtoken_factory()
    run.say(f"configs written (token validation: {middleware.split(':')[0]})")

    _step(run, "postgres", run.procs.log_file("postgres"), _start_postgres, run)
    run.rabbit.start()
    graph = _Graph(run)
    try:
        _plan(run, graph)
        graph.wait()
    finally:
        graph.close()
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
    for other processes). The first real failure is the one reported."""

    def __init__(self, run):
        self.run = run
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=32)
        self.jobs = {}
        self.failures = []

    def add(self, name, needs, function, log):
        needs = [self.jobs[n] for n in needs]

        def body():
            for future in needs:
                try:
                    future.result()
                except Exception:  # noqa: BLE001
                    raise _DependencyFailed() from None
            try:
                return function()
            except Exception as exc:  # noqa: BLE001
                error = exc if isinstance(exc, LabError) else LabError(f"{name}: {exc}", log)
                self.failures.append(error)
                raise error from exc

        self.jobs[name] = self.pool.submit(body)
        return name

    def wait(self):
        concurrent.futures.wait(self.jobs.values())
        if self.failures:
            raise self.failures[0]

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


def _plan(run, graph):
    lab, ctx, procs = run.lab, run.ctx, run.procs
    clouds = lab.clouds

    for module in schema.DATABASES:
        name = schema.name_of(module)

        def prepare(module=module, name=name):
            if not run.done(f"schema-{name}"):
                schema.prepare(ctx, run.pg, module)
                run.mark(f"schema-{name}")
                run.say(f"schema: {name} ready")

        graph.add(f"schema-{name}", [], prepare, schema.log_path(lab, module))
    graph.add("rabbitmq", [], run.rabbit.wait, procs.log_file("rabbitmq"))

    for cloud in clouds:
        log = procs.log_file(f"{cloud.name}-keystone-setup")

        def setup(cloud=cloud, log=log):
            if not run.done(f"{cloud.name}-keystone-setup"):
                schema.run_logged(
                    keystone.setup_command(ctx, cloud),
                    log,
                    what=f"{cloud.name} keystone setup",
                    stdin_text=json.dumps(keystone.setup_spec(ctx, cloud)),
                )
                run.mark(f"{cloud.name}-keystone-setup")

        graph.add(f"{cloud.name}-keystone-setup", ["schema-keystone"], setup, log)

    api_ready = {cloud.name: [] for cloud in clouds}
    for cloud in clouds:
        for module in (keystone, glance, placement, neutron, nova):
            for spec in module.processes(ctx, cloud):
                needs = [f"schema-{schema.name_of(module)}"]
                if spec.port is None:  # conductor, scheduler: they need the bus at once
                    needs.append("rabbitmq")
                start = functools.partial(run.ensure, spec, _etc(cloud, module))
                graph.add(spec.name, needs, start, procs.log_file(spec.name))
                if spec.port is not None:
                    wait = functools.partial(run.wait_port, spec)
                    graph.add(f"{spec.name}-port", [spec.name], wait, procs.log_file(spec.name))
                    api_ready[cloud.name].append(f"{spec.name}-port")

    def routing():
        table = routers.build_table(lab, run.creds)
        for cloud in clouds:
            directory = routers.render(lab, table, cloud)
            routers.start(lab, procs, cloud, directory)
        run.say(f"haproxy ready (routing table {lab.path('routing', 'table.json')})")

    keystones = [f"{c.name}-keystone-setup" for c in clouds]
    keystones += [f"{c.name}-keystone-port" for c in clouds]
    graph.add("routers", keystones, routing, lab.path("routing"))

    last = clouds[-1]
    for index, cloud in enumerate(clouds):
        compute = nova.compute_process(ctx, cloud)
        graph.add(compute.name, ["routers", f"{cloud.name}-nova-conductor"],
                  lambda s=compute, c=cloud: run.ensure(s, _etc(c, nova)),
                  procs.log_file(compute.name))  # fmt: skip

        def demo(cloud=cloud, index=index):
            conn = resources.connect(lab, cloud.name)
            if not run.done(f"{cloud.name}-resources"):
                resources.flavor(conn)
                resources.network(conn, index)
                if cloud.name == last.name:
                    resources.image(conn)
                run.mark(f"{cloud.name}-resources")
            resources.wait_compute(
                conn,
                lambda: _host_mapped(run, cloud),
                lambda: procs.alive(f"{cloud.name}-nova-compute"),
            )
            image = ", image" if cloud.name == last.name else ""
            run.say(f"{cloud.name}: ready (nova-compute up; flavor, network{image})")

        graph.add(f"{cloud.name}-resources",
                  ["routers", compute.name, f"{cloud.name}-nova-scheduler",
                   *api_ready[cloud.name]],
                  demo, procs.log_file(compute.name))  # fmt: skip


def _host_mapped(run, cloud):
    rows = run.pg.query(
        "SELECT count(*) FROM host_mappings WHERE host = %s",
        (cloud.compute_host,),
        database=cloud.database("nova_api"),
    )
    return rows[0][0] > 0
