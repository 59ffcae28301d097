"""Talk to a cloud's Keystone on its own port, before its HAProxy exists.

HAProxy is rendered from the catalog this Keystone holds, so the catalog is read around it.
"""

__all__ = ["direct_connection"]


def direct_connection(cloud, password):
    """An openstacksdk Connection as the lab's admin, to Keystone without HAProxy."""
    import openstack

    return openstack.connect(
        auth_type="password",
        auth={
            "auth_url": cloud.direct_auth_url,
            "username": "admin",
            "password": password,
            "project_name": "admin",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        region_name=cloud.name,
        identity_endpoint_override=cloud.direct_auth_url,
        identity_api_version="3",
        load_yaml_config=False,
        load_envvars=False,
    )
