"""Write oslo.config style INI files from plain dicts (sections in the order given)."""

import os

__all__ = ["write"]


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def write(path, sections, mode=0o600):
    """Write ``{section: {key: value}}``; files hold passwords, hence 0600."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_value(value)}" for key, value in values.items() if value is not None]
        lines.append("")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as stream:
        stream.write("\n".join(lines))
    return path
