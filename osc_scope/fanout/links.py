"""The merged page's body: the list, and a next link that leads back through the router.

Each service says "there is more" its own way, and clients read it that way
(openstacksdk, osc-lib): Glance's ``next`` (a path under the service's root), Nova's and
Neutron's ``<key>_links`` (absolute hrefs), Keystone's ``links`` object. The merged page
keeps the style the clouds used, pointing at the URL the client asked (its host, its path
through this router), with the merged list's cursor as marker; the clouds' own links are
dropped, since they lead to one cloud.
"""

import dataclasses

__all__ = ["RequestURL", "merged_body"]

# How each service says "next" when none of the clouds' answers showed it (they only do
# when they have more): Glance's ``next``, Keystone's ``links``, else ``<key>_links``.
STYLE_OF_SERVICE = {"image": "next", "identity": "links"}


@dataclasses.dataclass(frozen=True)
class RequestURL:
    """Where the client sent the request, as it sent it."""

    scheme: str
    host: str  # the Host header
    path: str  # without the query
    service_prefix: str  # the catalog path of the service on this frontend ("" at root)

    def absolute(self, query):
        return f"{self.scheme}://{self.host}{self.path}?{query}"

    def under_service(self, query):
        """Glance's form: the path below the service's root."""
        path = self.path
        if self.service_prefix and path.startswith(self.service_prefix):
            path = path[len(self.service_prefix) :] or "/"
        return f"{path}?{query}"


def merged_body(merged, key, query, url, service=None):
    """The JSON document of a merged page (``merge.Merged``) of ``service``."""
    document = dict(merged.document)
    document[key] = merged.items
    next_query = query.next_query(merged.cursor) if merged.cursor else None
    styles = set(merged.link_styles)
    if next_query and not styles:
        styles.add(STYLE_OF_SERVICE.get(service, "key_links"))
    if "next" in styles:
        if next_query:
            document["next"] = url.under_service(next_query)
        else:
            document.pop("next", None)
    if "key_links" in styles:
        if next_query:
            document[f"{key}_links"] = [{"rel": "next", "href": url.absolute(next_query)}]
        else:
            document.pop(f"{key}_links", None)
    if "links" in styles:
        links = dict(document.get("links") or {})
        links.update(next=url.absolute(next_query) if next_query else None, previous=None)
        document["links"] = links
    return document
