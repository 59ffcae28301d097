#!/usr/bin/env bash
# Print the clouds of the Vagrantfile's `os_clouds` list, one "<name> <ip>" line each, in
# its order. setup-env.sh and misc/examples.sh read the clouds here, so the list is written
# once: adding an entry to the Vagrantfile adds a cloud to all of them.
#
#   misc/vagrant-clouds.sh [VAGRANTFILE]        (default: the checkout's Vagrantfile)
#
# Each entry stays on one line, `{ name: "CloudOne", ip: "192.168.56.11", ... },`; anything
# else inside the list (but comments and blank lines) is refused with its line number.
set -euo pipefail

vagrantfile=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Vagrantfile}
entry='^[[:space:]]*\{[[:space:]]*name:[[:space:]]*"([A-Za-z0-9_.-]{1,255})",[[:space:]]*ip:[[:space:]]*"([0-9A-Fa-f.:]+)"[^}]*\},?[[:space:]]*(#.*)?$'
state=before number=0 found=0
while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    case $state in
    before)
        [[ $line =~ ^os_clouds[[:space:]]*=[[:space:]]*\[[[:space:]]*$ ]] && state=inside
        ;;
    inside)
        if [[ $line =~ ^\][[:space:]]*$ ]]; then
            state=after
            break
        elif [[ $line =~ $entry ]]; then
            echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
            found=$((found + 1))
        elif ! [[ $line =~ ^[[:space:]]*(#.*)?$ ]]; then
            echo "$vagrantfile:$number: expected one cloud per line," \
                '{ name: "<cloud>", ip: "<address>", ... },' "got: $line" >&2
            exit 1
        fi
        ;;
    esac
done < "$vagrantfile"

if [ "$state" != after ] || [ "$found" -eq 0 ]; then
    echo "$vagrantfile: no 'os_clouds = [' ... ']' list with at least one cloud" >&2
    exit 1
fi
