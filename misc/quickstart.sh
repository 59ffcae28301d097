#!/usr/bin/env bash
# The main job: install, start the local two-cloud lab, and boot a VM in CloudOne from an
# image that only CloudTwo's Glance holds.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/misc/install.sh"
venv=${OSC_SCOPE_VENV:-$repo/.venv}
export PATH=$venv/bin:$PATH
workdir=${OSC_SCOPE_LAB_DIR:-$repo/lab}
osc-scope lab up --workdir "$workdir"
export OS_CLIENT_CONFIG_FILE=$workdir/clouds.yaml OS_CLOUD=CloudOne
set -x
openstack image list --os-scope '{"image": "CloudTwo"}'
openstack server create vm1 --image cirros --flavor m1.tiny --nic none --wait \
    --os-scope '{"image": "CloudTwo"}' -c name -c status -c image
openstack image list --os-scope '{"image": "CloudOne&CloudTwo"}'   # fan-out: both clouds
set +x
echo "The lab keeps running: OS_CLIENT_CONFIG_FILE=$OS_CLIENT_CONFIG_FILE openstack --os-cloud CloudOne ..."
echo "Stop it with: $venv/bin/osc-scope lab down --workdir $workdir"
