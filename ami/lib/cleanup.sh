# Removes what belongs to this builder instance and not to the image, so every instance
# started from the AMI begins clean: ECS agent state and cluster, cloud-init state, SSH host
# keys, machine-id, logs and shell history. Everything else is left as it is.

cleanup_instance_state() {
  root=$1
  # The agent writes its state on stop, so stop it before removing the state.
  hook stop-service ecs
  rm -rf "$root"/var/lib/ecs/data/*
  if [ -f "$root/etc/ecs/ecs.config" ]; then
    kept=$(grep -v '^[[:space:]]*ECS_CLUSTER=' "$root/etc/ecs/ecs.config" || true)
    if [ -n "$kept" ]; then printf '%s\n' "$kept" >"$root/etc/ecs/ecs.config"; else : >"$root/etc/ecs/ecs.config"; fi
  fi

  if [ -x "$root/usr/bin/cloud-init" ]; then hook cloud-init-clean; fi
  rm -rf "$root"/var/lib/cloud/instances/* "$root/var/lib/cloud/instance" "$root"/var/lib/cloud/data/*
  rm -rf "$root"/var/lib/cloud/sem/*

  rm -f "$root"/etc/ssh/ssh_host_*
  if [ -f "$root/etc/machine-id" ]; then : >"$root/etc/machine-id"; fi

  if [ -d "$root/var/log" ]; then
    find "$root/var/log" -type f \( -name '*.log' -o -name 'messages' -o -name 'secure' -o -name 'wtmp' -o -name 'lastlog' \) \
      -exec sh -c 'for f; do : >"$f"; done' sh {} +
    rm -rf "$root"/var/log/journal/*
  fi
  rm -f "$root/root/.bash_history" "$root"/home/*/.bash_history
  say 'instance state cleaned'
}
