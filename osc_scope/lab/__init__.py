"""The local multi-cloud lab: real OpenStack services on loopback, one address per cloud.

``osc-scope lab up`` builds and starts it (``orchestrate``, after ``preflight`` checked what
it needs is installed and ``bytecode`` that the venv is compiled), ``lab down``/``status``
stop and check it (``control``). One job per module:

- ``layout``: addresses, ports, URLs, directories; ``credentials``: the lab's passwords.
- ``processes``: start/stop by PID with one log each; ``postgres``, ``rabbitmq``: the shared
  database and message bus, run from the lab's directory.
- ``keystone``, ``glance``, ``placement``, ``nova``, ``neutron``: each service's config
  writer and its declaration (``service.Service``: ports, mount, WSGI application,
  databases, environment, other processes), listed once in ``stack``; ``common``: what the
  configs share; ``ini``, ``uwsgi``: file formats; ``ml2``: the lab-only mechanism driver;
  ``wsgi/``: entry points adjusted before serving.
- ``schema`` and ``setup/``: databases migrated (or restored by ``schema_cache``) once and
  copied, Keystone's content.
- ``routers``: routing table from the live catalogs, HAProxy rendered from it; ``haproxy``:
  each router master-worker on checked releases, reloaded when its config changes.
- ``resources``: flavor, network, image, through HAProxy; ``clouds_yaml``: the client file.
"""
