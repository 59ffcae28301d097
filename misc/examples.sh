#!/usr/bin/env bash
# The seed workflow's scoped commands, run against two clouds through the real `openstack`.
#
#   misc/examples.sh --lab [DIR]     the local lab (osc-scope lab up; default DIR: ./lab)
#   misc/examples.sh --vagrant       the Vagrant/devstack clouds (playbooks helper's mode)
#
# Every command is echoed before it runs; the script stops at the first failure and deletes
# the servers it created.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${OSC_SCOPE_VENV:-$repo/.venv}
export PATH=$venv/bin:$PATH

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

mode=${1:-}
case $mode in
--lab)
    # ---- lab mode (lab helper) ------------------------------------------------------
    workdir=${2:-${OSC_SCOPE_LAB_DIR:-$repo/lab}}
    osc-scope lab up --workdir "$workdir" | tail -n 1
    export OS_CLIENT_CONFIG_FILE=$workdir/clouds.yaml
    export OS_CLOUD=CloudOne
    ;;
--vagrant)
    # ---- Vagrant mode (playbooks helper) ---------------------------------------------
    # The devstack clouds of the Vagrantfile, after `vagrant provision CloudOne
    # --provision-with os-scope`: a clouds.yaml for their admins (devstack's password), and
    # an image named cirros in CloudTwo's Glance (from the file devstack downloaded there).
    # "<name>=<ip> ...", by default the Vagrantfile's os_clouds list
    vagrant_clouds=${OSC_SCOPE_VAGRANT_CLOUDS:-$("$repo/misc/vagrant-clouds.sh" | tr ' \n' '= ')}
    vagrant_dir=${OSC_SCOPE_VAGRANT_DIR:-$repo/generated/vagrant}
    mkdir -p "$vagrant_dir"
    {
        echo "clouds:"
        for entry in $vagrant_clouds; do
            cat <<CLOUD
  ${entry%%=*}:
    region_name: ${entry%%=*}
    auth:
      auth_url: http://${entry#*=}/identity
      username: admin
      password: ${OSC_SCOPE_ADMIN_PASSWORD:-secret}
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
CLOUD
        done
    } > "$vagrant_dir/clouds.yaml"
    export OS_CLIENT_CONFIG_FILE=$vagrant_dir/clouds.yaml
    export OS_CLOUD=CloudOne
    if ! openstack image show cirros --os-cloud CloudTwo >/dev/null 2>&1; then
        echo "examples.sh: uploading devstack's cirros to CloudTwo as 'cirros'"
        # shellcheck disable=SC2016  # expanded by the shell inside CloudTwo
        (cd "$repo" && vagrant ssh CloudTwo -c 'OS_CLOUD=devstack-admin openstack image create \
            cirros --public --disk-format qcow2 --container-format bare \
            --file "$(ls /opt/stack/devstack/files/cirros-*-disk.img | head -n1)"' >/dev/null)
    fi
    ;;
*) usage ;;
esac
for var in OS_SCOPE OS_SCOPE_IMAGE OS_SCOPE_COMPUTE; do unset "$var"; done

run() { printf '\n$ %s\n' "$*"; "$@"; }
servers=()
cleanup() {
    for server in "${servers[@]}"; do
        openstack server delete --wait "$server" \
            --os-scope '{"identity": "CloudOne", "compute": "CloudTwo", "image": "CloudTwo"}' \
            >/dev/null 2>&1 || openstack server delete --wait "$server" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT
suffix=$$

# Images: CloudOne's own, then CloudTwo's seen from CloudOne.
run openstack image list
run openstack image list --os-scope '{"image": "CloudOne"}'
run openstack image list --os-scope '{"image": "CloudTwo"}'
# CloudTwo's catalog, through CloudOne, with CloudTwo's Keystone.
run openstack endpoint list --os-scope '{"identity": "CloudTwo"}' -c Region -c 'Service Type' -c URL
# The seed: a VM in CloudOne from an image only CloudTwo's Glance holds.
servers+=("vm1-$suffix")
run openstack server create "vm1-$suffix" --image cirros --flavor m1.tiny --nic none --wait \
    --os-scope '{"image": "CloudTwo"}' -c name -c status -c image
# CloudTwo's Nova knows nothing of it.
run openstack server list --os-cloud CloudTwo --all-projects
# Identity collaboration: CloudOne's credentials, CloudTwo's compute, network and image.
servers+=("vm2-$suffix")
run openstack server create "vm2-$suffix" --image cirros --flavor m1.tiny --nic none --wait \
    --os-scope '{"identity": "CloudOne", "compute": "CloudTwo", "network": "CloudTwo",
                 "placement": "CloudTwo", "image": "CloudTwo"}' -c name -c status
# Failover: CloudOne's Glance first, CloudTwo's when CloudOne's is down.
run openstack image list --os-scope '{"image": "CloudOne|CloudTwo"}'
echo
echo "examples.sh: all commands succeeded"
