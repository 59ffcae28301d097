"""Neutron's API with its SQLAlchemy mappers configured before the first request.

neutron 29.0.0 answers 500 (``'Port' has no attribute 'port_forwardings'``) when the first
request is ``GET /v2.0/ports``; configuring every mapper once up front avoids it.
"""

from neutron.wsgi.api import application  # noqa: F401 - the entry point uWSGI serves
from sqlalchemy import orm

orm.configure_mappers()
