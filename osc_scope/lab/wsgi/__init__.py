"""WSGI entry points for services that need a lab-side adjustment before serving.

They wrap the services' own entry points at import time; installed files stay untouched.
"""
