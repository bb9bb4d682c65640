# Sourced by the benchmarks that run Debian's auditd beside raudit.
#
# private_auditd_conf DIR LOG FREQ writes DIR/auditd.conf for `auditd -n -c
# DIR`: Debian's shipped flush mode and priority_boost, a RAW log at LOG
# forced to disk every FREQ records, no rotation, no plugins (an empty
# DIR/plugins.d) and no disk-space actions, so that nothing but the load
# decides what auditd does during a run.
private_auditd_conf() {
  mkdir -p "$1/plugins.d"
  cat > "$1/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $2
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = $3
max_log_file = 100000
num_logs = 2
max_log_file_action = IGNORE
priority_boost = 4
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $1/plugins.d
end_of_event_timeout = 2
CONF
  # auditd refuses a configuration that others may write.
  chmod 640 "$1/auditd.conf"
}
