"""Placement's WSGI application, with the scope-aware auth filter.

Serve ``osc_scope.middleware.placement:application`` where
``placement.wsgi.api:application`` was (uWSGI ``module =``, same
``OS_PLACEMENT_CONFIG_DIR``). Importing this module builds the application, as
importing Placement's own does: uWSGI looks the callable up in the module's
namespace, so it has to be a plain attribute, built at import.
"""

import sys

from osc_scope.middleware import placement_filter

if "placement.wsgi.api" in sys.modules:
    # Its application is built already, with Placement's own filter: serving it would
    # silently validate every token with the local Keystone only.
    raise ImportError(
        "placement.wsgi.api was imported before osc_scope.middleware.placement: serve "
        "osc_scope.middleware.placement:application instead of Placement's own"
    )

placement_filter.install()

from placement.wsgi.api import application  # noqa: E402 - built with the filter installed

__all__ = ["application"]
