#!/usr/bin/python
"""Set (or remove) options in INI sections of a config file, keeping everything else.

Why a module of our own: ansible-core has no section-aware INI editor (``ini_file`` is in
community.general, which the playbooks do not depend on), and the services' files (nova.conf,
api-paste.ini) repeat option names across sections, so ``lineinfile`` cannot edit them safely.
"""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: os_scope_ini
short_description: Set or remove options in sections of an INI file
description:
  - Sets each given option of each given section, adding the section or the option when it is
    missing; a null value removes the option. Comments, order and other options are kept.
  - Supports check mode and diff.
options:
  path:
    description: The INI file (it must exist).
    type: path
    required: true
  settings:
    description: "Mapping section -> {option: value}; a null value removes the option."
    type: dict
    required: true
  mode:
    description: Permissions to keep when the file is rewritten (default: keep the file's).
    type: raw
  private:
    description:
      - The file holds secrets; take every permission of "others" away (0644 -> 0640,
        0664 -> 0660), keeping the owner's and the group's, through which a service often
        reads its own config (root:nova 0640).
    type: bool
    default: false
author: osc-scope
"""

EXAMPLES = r"""
- name: Validate tokens with the scope-aware filter
  os_scope_ini:
    path: /etc/nova/api-paste.ini
    settings:
      "filter:authtoken":
        paste.filter_factory: null
        use: egg:osc-scope#scoped_authtoken
"""

RETURN = r"""
changed_options:
  description: The "section/option" names that changed.
  type: list
  returned: always
"""

SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
# options whose values a diff never shows (passwords, application credential secrets)
SECRET = re.compile(
    r"^(?P<key>\s*#?\s*[^=:#;\s]*(?:password|secret)[^=:\s]*\s*[=:]).*$", re.M | re.I
)
OPTION = re.compile(r"^\s*(?P<name>[^=:#;\s][^=:]*?)\s*[=:]")


def _section_spans(lines):
    """Map section name -> (start of its header line, end) in ``lines``."""
    spans = {}
    current, start = None, 0
    for index, line in enumerate(lines):
        match = SECTION.match(line)
        if match:
            if current is not None:
                spans.setdefault(current, (start, index))
            current, start = match["name"].strip(), index
    if current is not None:
        spans.setdefault(current, (start, len(lines)))
    return spans


def apply(text, settings):
    """The new text and the list of changed "section/option" names."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    changed = []
    for section, options in settings.items():
        for option, value in (options or {}).items():
            spans = _section_spans(lines)
            wanted = None if value is None else f"{option} = {_text(value)}\n"
            if section not in spans:
                if wanted is None:
                    continue
                if lines and lines[-1].strip():
                    lines.append("\n")
                lines += [f"[{section}]\n", wanted]
                changed.append(f"{section}/{option}")
                continue
            start, end = spans[section]
            found = [
                i
                for i in range(start + 1, end)
                if (m := OPTION.match(lines[i])) and m["name"].strip() == option
            ]
            if wanted is None:
                for i in reversed(found):
                    del lines[i]
                if found:
                    changed.append(f"{section}/{option}")
            elif not found:
                last = end
                while last > start + 1 and not lines[last - 1].strip():
                    last -= 1
                lines.insert(last, wanted)
                changed.append(f"{section}/{option}")
            elif lines[found[0]] != wanted or len(found) > 1:
                lines[found[0]] = wanted
                for i in reversed(found[1:]):
                    del lines[i]
                changed.append(f"{section}/{option}")
    return "".join(lines), changed


def masked(text):
    """``text`` with the values of secret options replaced, for diffs."""
    return SECRET.sub(lambda m: m["key"] + " ********", text)


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "settings": {"type": "dict", "required": True},
            "mode": {"type": "raw"},
            "private": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    try:
        with open(path, encoding="utf-8") as stream:
            before = stream.read()
    except OSError as exc:
        module.fail_json(msg=f"{path}: {exc.strerror}")
    after, changed = apply(before, module.params["settings"])
    mode = os.stat(path).st_mode & 0o7777
    if module.params["private"] and mode & 0o007:
        mode &= ~0o007
        changed.append("(mode)")
    result = {"changed": bool(changed), "changed_options": changed, "path": path}
    if module._diff:
        result["diff"] = {
            "before": masked(before),
            "after": masked(after),
            "before_header": path,
            "after_header": path,
        }
    if changed and not module.check_mode:
        stat = os.stat(path)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".os_scope_ini.")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(after)
        os.chown(tmp, stat.st_uid, stat.st_gid)
        os.chmod(tmp, mode)
        module.atomic_move(tmp, path)
        os.chmod(path, mode)  # atomic_move gives the new file the old one's mode
        if module.params["mode"] is not None:
            module.set_mode_if_different(path, module.params["mode"], False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
