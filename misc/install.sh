#!/usr/bin/env bash
# Install everything osc-scope's lab and tests need on a fresh Debian 12 machine.
# Idempotent and quiet when there is nothing to do: Debian packages with apt-get, Python
# packages into .venv/ (an editable install of this checkout with its test and lab extras).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${OSC_SCOPE_VENV:-$repo/.venv}

apt_packages=(
    haproxy            # the router (2.6, Lua 5.3)
    wrk                # bench/
    postgresql         # lab databases (Nova, Placement, Neutron, Glance)
    rabbitmq-server    # lab message bus (Nova)
    openssl            # TLS tests
    tmux shellcheck    # setup-env.sh and its lint
    vagrant vagrant-libvirt  # Vagrantfile validation (`vagrant status` needs the provider)
    python3-venv python3-dev gcc  # the venv; uWSGI builds from source
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install: apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# Reinstall the venv only when the project's requirements changed since the last install.
stamp=$venv/.osc-scope-installed
wanted=$(cat "$repo/setup.cfg" "$repo/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "install: Python packages into $venv (a few minutes the first time)"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e "${repo}[test,lab]"
    echo "$wanted" > "$stamp"
fi
