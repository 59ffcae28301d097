#!/usr/bin/env bash
# Start the Vagrant lab in tmux: one pane per cloud of the Vagrantfile's os_clouds list, top
# to bottom in its order, each running `vagrant up <cloud>` and then a shell in that cloud
# (`vagrant ssh <cloud>`).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
session=${OSC_SCOPE_TMUX_SESSION:-osc-scope}

# The clouds, read where they are written (misc/vagrant-clouds.sh prints "<name> <ip>").
cloud_list=$("$repo/misc/vagrant-clouds.sh" "$repo/Vagrantfile")
clouds=()
while read -r name _ip; do clouds+=("$name"); done <<<"$cloud_list"

usage() {
    cat <<USAGE
Usage: $(basename "$0") [--detach] [--help]

Start the osc-scope Vagrant lab in a tmux session named '$session': one pane per cloud of the
Vagrantfile, top to bottom: ${clouds[*]}. Each pane runs 'vagrant up <cloud>' (boots the VM
and deploys devstack, then nothing more on a second run) and then 'vagrant ssh <cloud>'.

Needs tmux and vagrant (with a provider: libvirt or VirtualBox), and Ansible on this host:
the project's .venv/bin is put first on PATH when it exists (misc/install.sh creates it).
Without tmux, prints the commands to run by hand. --detach creates the session without
attaching to it (attach later with: tmux attach -t $session).

Once both clouds are up, configure scope routing on all of them:
    vagrant provision CloudOne --provision-with os-scope
Environment: OSC_SCOPE_TMUX_SESSION (session name, default osc-scope).
USAGE
}

pane_command() {
    # A command line for the pane's shell. `vagrant up` is tried twice: two panes starting
    # together may race for the first download of the box. The pane keeps a shell when a
    # step fails, so the error stays readable.
    # shellcheck disable=SC2016  # ${SHELL} is for the pane's shell to expand
    printf 'cd %q && { vagrant up %q || { sleep 30; vagrant up %q; }; } && vagrant ssh %q; exec "${SHELL:-bash}"' \
        "$repo" "$1" "$1" "$1"
}

main() {
    local attach=1
    for arg in "$@"; do
        case "$arg" in
            -h | --help) usage; return 0 ;;
            --detach) attach=0 ;;
            *) echo "$(basename "$0"): unknown argument '$arg' (try --help)" >&2; return 2 ;;
        esac
    done

    if [ -d "$repo/.venv/bin" ]; then
        PATH=$repo/.venv/bin:$PATH
        export PATH
    fi

    local missing=()
    command -v vagrant >/dev/null || missing+=(vagrant)
    command -v ansible-playbook >/dev/null || missing+=("ansible-playbook (misc/install.sh)")
    if ! command -v tmux >/dev/null; then
        if [ ${#missing[@]} -gt 0 ]; then
            echo "missing: ${missing[*]} tmux" >&2
        else
            echo "missing: tmux" >&2
        fi
        echo "Without tmux, run in one terminal per cloud:"
        for cloud in "${clouds[@]}"; do
            echo "    cd $repo && vagrant up $cloud && vagrant ssh $cloud"
        done
        return 1
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "missing: ${missing[*]}" >&2
        return 1
    fi

    if tmux has-session -t "=$session" 2>/dev/null; then
        echo "tmux session '$session' exists already; attaching"
    else
        tmux new-session -d -s "$session" -c "$repo" "$(pane_command "${clouds[0]}")"
        for cloud in "${clouds[@]:1}"; do
            # even out after each split, so the next one has room
            tmux split-window -v -t "$session:" -c "$repo" "$(pane_command "$cloud")"
            tmux select-layout -t "$session:" even-vertical
        done
        echo "tmux session '$session' started: ${clouds[*]}"
    fi
    if [ "$attach" -eq 0 ]; then
        return 0
    elif [ -n "${TMUX:-}" ]; then
        tmux switch-client -t "=$session"
    else
        tmux attach-session -t "=$session"
    fi
}

main "$@"
