# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_raudit_global_optspecs
    string join \n h/help V/version
end

function __fish_raudit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_raudit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_raudit_using_subcommand
    set -l cmd (__fish_raudit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c raudit -n "__fish_raudit_needs_command" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_needs_command" -s V -l version -d 'Print version'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "daemon" -d 'Receive the kernel\'s audit records and store them (replaces auditd)'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "ctl" -d 'Control the kernel audit system: rules, watches, status (auditctl syntax)'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "search" -d 'Search stored events (ausearch syntax)'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "report" -d 'Summaries and per-event reports of stored events (aureport syntax)'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "import" -d 'Load auditd log files into the database (plain, rotated or enriched)'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "check" -d 'A monitoring plugin (Nagios, NRPE, Icinga, Sensu): matching events, loss, the daemon, the kernel, rules drift, free space'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "upgrade" -d 'Bring a database an older raudit wrote up to this version\'s schema'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "prune" -d 'Delete the events stored before a time, oldest first, through the chain'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "verify" -d 'Check the database\'s tamper-evident chain; name the first break'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "fleet" -d 'The fleet\'s tables in ClickHouse (see raudit-export(8))'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "export" -d 'Copy a database\'s events and loss rows into the fleet\'s ClickHouse tables'
complete -c raudit -n "__fish_raudit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l config -d 'Configuration file [default: $RAUDIT_CONFIG, else /etc/raudit/raudit.conf, where a missing file means the built-in defaults]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l db -d 'SQLite database to record into (created 0600 in a 0700 directory); overrides $RAUDIT_DB, which overrides log_file' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l eoe-timeout -d 'Milliseconds an event may wait for its end-of-event record; overrides eoe_timeout_ms' -r
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -s c -d 'auditd\'s -c: read raudit.conf from DIR' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l import-config -d 'Convert auditd\'s configuration (such as /etc/audit/auditd.conf) into a raudit.conf, printed on stdout: each key it cannot take stays as a comment saying why. Then exit' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l check-config -d 'Check the configuration, print the settings in effect, and exit without starting'
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -l observe -d 'Record beside another registered audit daemon (read-only multicast), without touching kernel settings'
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -s f -d 'auditd\'s -f (foreground); accepted: the daemon always runs in the foreground and reports to stderr'
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -s n -d 'auditd\'s -n (do not fork); accepted, as -f'
complete -c raudit -n "__fish_raudit_using_subcommand daemon" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s k -l key -d 'Events with this key (any of an event\'s keys)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s f -l file -d 'Events that touched this file (PATH names, working directory)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s m -l message -d 'Events holding a record of these types (names or numbers, comma lists, ALL)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s p -l pid -d 'Events of this process id' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l ppid -d 'Events of this parent process id (`-pp`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s a -l event -d 'The event with this serial number' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l start -d 'Start time (`-ts`): keyword, date and/or time, ISO 8601, or a relative time such as 15m, -2h, 3d, "2 hours ago"' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l end -d 'End time (`-te`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid -d 'User id, name or number (`-ui`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid-effective -d 'Effective user id (`-ue`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l loginuid -d 'Login user id, auid (`-ul`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid-all -d 'Any of user id, effective user id or login user id (`-ua`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid -d 'Group id, name or number (`-gi`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid-effective -d 'Effective group id (`-ge`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid-all -d 'Group id or effective group id (`-ga`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l syscall -d 'System call, name (for --arch, else this machine) or number (`-sc`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l arch -d 'CPU architecture: b32, b64 or a machine name' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l success -d 'Whether the system call succeeded: yes or no (`-sv`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s e -l exit -d 'System call exit code: a number or an errno name such as -EPERM' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l session -d 'Login session id' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s c -l comm -d 'Command name (comm)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s x -l executable -d 'Executable path (exe)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l host -d 'Remote host name or address (`-hn`)' -r -f -a "(__fish_print_hostnames)"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l terminal -d 'Terminal (`-tm`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l context -d 'Subject or object security context (`-se`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l subject -d 'Subject security context (`-su`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s o -l object -d 'Object security context' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -s n -l node -d 'Node name' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l unit -d 'Events of processes in this systemd unit (`cron.service`; a name without a suffix means a service), as the daemon found it at ingest in the process\'s cgroup' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l container -d 'Events of processes in this container: its id or a prefix of it (as `docker ps` shows 12 hex digits), found at ingest in the process\'s cgroup (docker, podman, containerd, Kubernetes)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand search" -l ancestor-exe -d 'Events whose process, or one of its ancestors, ran this program (the whole path). Ancestors are those the daemon knew at ingest, from SYSCALL records and /proc' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l checkpoint -d 'Resume after the last event a previous search with the same FILE printed, and record this search\'s last event there' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -l format -d 'Output form [default: default]' -r -f -a "default\t'As ausearch prints by default: `----`, `time->`, records newest-first'
raw\t'Records as auditd writes them, in arrival order (`ausearch --raw`)'
interpret\t'Values interpreted, as `ausearch -i` prints them'
json\t'One JSON object per event per line, the schema versioned (see [`json`] and the manual)'
csv\t'ausearch\'s normalized view, one comma-separated line per event under a header: who did what to what, how, with what result'
text\t'ausearch\'s normalized view as one English sentence per event'"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l escape -d 'How interpreted values with control or shell characters are escaped' -r -f -a "raw\t'Print values as they are'
tty\t'Control characters as `\\ooo` octal escapes'
shell\t'Also backslash-escape `"\'`$\\!()|` and space'
shell_quote\t'Also backslash-escape `;#&*?[]<>{}`'"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l input -d 'Search an auditd log file, or a directory\'s audit.log and its rotations, instead of the database (`-if`); `-` reads standard input' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -l db -d 'Database to read [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -l fleet -d 'Search the fleet\'s ClickHouse tables (see raudit-export(8)) instead of a database: every host\'s events, node by node, as a search of each host\'s database prints them. A line on stderr names the nodes whose stores recorded loss in the searched time window, with the events missing by kind' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l timeout -d 'Seconds to wait for the server: to connect, and for each read and write of a request' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l tree -d 'Print the process tree rooted at PID instead of events: each process (pid, the programs it ran) with its number of matching events and the first one\'s time and serial, its children indented under it; from the pid and ppid of the events the other options match' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s w -l word -d 'Text options match the whole value, not a part of it'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l just-one -d 'Stop after the first matching event'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s l -l line-buffered -d 'Flush the output after each event'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s r -l raw -d 'Records as auditd writes them (same as --format raw)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s i -l interpret -d 'Interpret values as ausearch -i does (same as --format interpret)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-keys -d 'With --format csv: add a last column, KEY, with the rule\'s key'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-labels -d 'With --format csv: add SUBJ_LABEL and OBJ_LABEL columns, the subject\'s and object\'s security labels'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-obj2 -d 'With --format csv: add an OBJ2 column, a second object (a rename\'s new name, a chown\'s new owner, ...)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-time -d 'With --format csv: add YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI and GMT_OFFSET columns'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-context -d 'With --format csv: add UNIT, CONTAINER, ANCESTORS (joined by ;), UID_NAME, AUID_NAME and GID_NAME columns, last: the context the daemon stored with each event (empty when none), with names as they were when it stored the event (else as -i prints them). Not ausearch\'s'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l stdin -d 'Search raw records read from standard input (as `-if -`)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l loss -d 'List recorded losses (kernel lost counter, serial gaps) instead of events'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l list-keys -d 'Print the keys stored in the database, one a line (what the shell completion offers after -k)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l verified -d 'Walk the tamper-evident chain first (as raudit verify) and put a line `# unverified: ...` before each event from a broken part of it (default, raw, interpret and text forms)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l follow -d 'Keep printing matching events as they are stored, until interrupted or the output is closed: from now, from -ts, or after --checkpoint\'s position (kept up to date). Each event is printed once, when it is final; one the daemon still holds open delays those after it (at most its eoe_timeout, or 15 s for a daemon killed mid-event). Follows the store across daemon restarts, and a new database put at its path'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l escape -d 'How text with control or shell characters is escaped' -r -f -a "raw\t'Print values as they are'
tty\t'Control characters as `\\ooo` octal escapes'
shell\t'Also backslash-escape `"\'`$\\!()|` and space'
shell_quote\t'Also backslash-escape `;#&*?[]<>{}`'"
complete -c raudit -n "__fish_raudit_using_subcommand report" -l node -d 'Only events from this node (repeatable)' -r
complete -c raudit -n "__fish_raudit_using_subcommand report" -l start -d 'Start time (`-ts`): as `raudit search -ts`' -r
complete -c raudit -n "__fish_raudit_using_subcommand report" -l end -d 'End time (`-te`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand report" -l input -d 'Report on an auditd log file, or a directory\'s audit.log and its rotations, instead of the database (`-if`); `-` reads standard input' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand report" -l db -d 'Database to read [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand report" -s a -l avc -d 'AVC report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l auth -d 'Authentication report (`-au`)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l comm -d 'Commands run report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s c -l config -d 'Config change report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l crypto -d 'Crypto report (`-cr`)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s e -l event -d 'Event report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s f -l file -d 'File name report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s h -l host -d 'Remote host name report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l integrity -d 'Integrity event report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s k -l key -d 'Key report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s l -l login -d 'Login report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s t -l log -d 'Log time range report: the first and last event of each log, or of the database'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s m -l mods -d 'Modifications to accounts report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l mac -d 'Mandatory Access Control (MAC) report (`-ma`)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s n -l anomaly -d 'Anomaly report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s p -l pid -d 'Process id report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s r -l response -d 'Response to anomaly report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s s -l syscall -d 'System call report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l terminal -d 'Terminal name report (`-tm`)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l tty -d 'TTY keystrokes report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s u -l user -d 'User id report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l virt -d 'Virtualization report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s x -l executable -d 'Executable name report'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l summary -d 'Sorted totals of the report\'s main object instead of one row per event'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l failed -d 'Only failed events'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l success -d 'Only successful events'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s i -l interpret -d 'Names instead of numbers (uids, syscalls, record types)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l no-config -d 'Leave out CONFIG_CHANGE events (`-nc`)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l input-logs -d 'Read the database even when standard input is a pipe (for the `aureport` name, which otherwise reads a piped log)'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l debug -d 'Accepted for aureport\'s sake; malformed events are skipped quietly'
complete -c raudit -n "__fish_raudit_using_subcommand report" -s v -l version -d 'Print the version'
complete -c raudit -n "__fish_raudit_using_subcommand report" -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand import" -l db -d 'Database to import into (created if missing) [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand import" -s q -l quiet -d 'Print nothing but errors'
complete -c raudit -n "__fish_raudit_using_subcommand import" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand check" -s k -l key -d 'Events with this key (any of an event\'s keys)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s f -l file -d 'Events that touched this file (PATH names, working directory)' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -s m -l message -d 'Events holding a record of these types (names or numbers, comma lists, ALL)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s p -l pid -d 'Events of this process id' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l ppid -d 'Events of this parent process id (`-pp`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s a -l event -d 'The event with this serial number' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l start -d 'Start time (`-ts`): keyword, date and/or time, ISO 8601, or a relative time such as 15m, -2h, 3d, "2 hours ago"' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l end -d 'End time (`-te`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l uid -d 'User id, name or number (`-ui`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand check" -l uid-effective -d 'Effective user id (`-ue`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand check" -l loginuid -d 'Login user id, auid (`-ul`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand check" -l uid-all -d 'Any of user id, effective user id or login user id (`-ua`)' -r -f -a "(__fish_complete_users)"
complete -c raudit -n "__fish_raudit_using_subcommand check" -l gid -d 'Group id, name or number (`-gi`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l gid-effective -d 'Effective group id (`-ge`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l gid-all -d 'Group id or effective group id (`-ga`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l syscall -d 'System call, name (for --arch, else this machine) or number (`-sc`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l arch -d 'CPU architecture: b32, b64 or a machine name' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l success -d 'Whether the system call succeeded: yes or no (`-sv`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s e -l exit -d 'System call exit code: a number or an errno name such as -EPERM' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -l session -d 'Login session id' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s x -l executable -d 'Executable path (exe)' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -l host -d 'Remote host name or address (`-hn`)' -r -f -a "(__fish_print_hostnames)"
complete -c raudit -n "__fish_raudit_using_subcommand check" -l terminal -d 'Terminal (`-tm`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l context -d 'Subject or object security context (`-se`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l subject -d 'Subject security context (`-su`)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s o -l object -d 'Object security context' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -s n -l node -d 'Node name' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l unit -d 'Events of processes in this systemd unit (`cron.service`; a name without a suffix means a service), as the daemon found it at ingest in the process\'s cgroup' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l container -d 'Events of processes in this container: its id or a prefix of it (as `docker ps` shows 12 hex digits), found at ingest in the process\'s cgroup (docker, podman, containerd, Kubernetes)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l ancestor-exe -d 'Events whose process, or one of its ancestors, ran this program (the whole path). Ancestors are those the daemon knew at ingest, from SYSCALL records and /proc' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -s w -l warning -d 'Warning range: 10 (above 10), 10: (below 10), ~:10, 10:20 (outside), @10:20 (inside)' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -s c -l critical -d 'Critical range, as --warning' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -l window -d 'The time window before now for --events and --loss: seconds, or a number with s, m, h or d (5m)' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -l state -d 'With --loss: count loss since the check that last wrote FILE (the first check only records where it stands)' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand check" -s t -l timeout -d 'Give up with UNKNOWN after this many seconds' -r
complete -c raudit -n "__fish_raudit_using_subcommand check" -l db -d 'Database to read [default: $RAUDIT_DB, else log_file of the configuration, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand check" -l config -d 'Configuration file (rules_dir, space_left) [default: $RAUDIT_CONFIG, else /etc/raudit/raudit.conf]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand check" -l comm -d 'Command name (comm)' -r -f
complete -c raudit -n "__fish_raudit_using_subcommand check" -l events -d 'Count events matching the filters over --window (the check run when no other is named)'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l loss -d 'Events the store recorded as lost: over --window, since the check that last wrote --state, or ever'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l daemon -d 'A raudit daemon records to the database and is the kernel\'s registered audit daemon'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l enabled -d 'The kernel audits (enabled 1 or 2)'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l backlog -d 'The kernel\'s backlog as a percentage of its limit [default: -w 50 -c 80]'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l rules -d 'The kernel\'s rules against the rules directory [default: -c 0]'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l space -d 'Free space on the database\'s file system, in MiB [default: -w space_left: -c admin_space_left: from the configuration]'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l stale -d 'Seconds since the newest stored event, while the kernel audits [default: -w 300 -c 900]'
complete -c raudit -n "__fish_raudit_using_subcommand check" -l word -d 'Text options match the whole value, not a part of it'
complete -c raudit -n "__fish_raudit_using_subcommand check" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand upgrade" -l db -d 'Database to upgrade (never created: it must exist)' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c raudit -n "__fish_raudit_using_subcommand prune" -l before -d 'Delete events stored before this time (ausearch\'s forms: a date YYYY-MM-DD and/or a time HH:MM[:SS], a keyword such as week-ago, or a relative time such as 90d)' -r
complete -c raudit -n "__fish_raudit_using_subcommand prune" -l to-size -d 'Delete the oldest events until the database (with its write-ahead log) takes at most this many MiB on disk' -r
complete -c raudit -n "__fish_raudit_using_subcommand prune" -l db -d 'Database to prune (not while the daemon writes it) [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand prune" -l key -d 'The chain\'s key file [default: $RAUDIT_CHAIN_KEY, else chain_key of raudit.conf for its database, else the database\'s path with .key appended]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand prune" -l archive -d 'Move what is deleted into an archive database beside this one (DB.archive-YYYYMMDDTHHMMSSZ, made read-only), which verify checks is there and unchanged'
complete -c raudit -n "__fish_raudit_using_subcommand prune" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand verify" -l db -d 'Database to verify [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand verify" -l key -d 'The chain\'s key file [default: $RAUDIT_CHAIN_KEY, else chain_key of raudit.conf for its database, else the database\'s path with .key appended]. Without a readable key the MACs are not checked (said on stderr)' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand verify" -l anchor -d 'An anchor exported earlier (or the writer\'s checkpoint file): the chain must still hold its commit, unchanged [default: the checkpoint beside the key, if there is one]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand verify" -l export-anchor -d 'After a clean walk, write the newest commit as an anchor line to FILE, to keep elsewhere (another host, a ticket, paper)' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand verify" -s q -l quiet -d 'Print nothing on success'
complete -c raudit -n "__fish_raudit_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and not __fish_seen_subcommand_from init help" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and not __fish_seen_subcommand_from init help" -f -a "init" -d 'Create the fleet\'s database and tables in ClickHouse (idempotent)'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and not __fish_seen_subcommand_from init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from init" -l ttl-days -d 'Delete rows this many days old (ClickHouse\'s table TTL, 19.6 and later); without it rows are kept until dropped' -r
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from init" -l timeout -d 'Seconds to wait for the server: to connect, and for each read and write of a request' -r
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from init" -l print -d 'Print the statements instead of running them'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the fleet\'s database and tables in ClickHouse (idempotent)'
complete -c raudit -n "__fish_raudit_using_subcommand fleet; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c raudit -n "__fish_raudit_using_subcommand export" -l db -d 'Database to export [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]. It is only read' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand export" -l to -d 'The fleet\'s ClickHouse (tables made by `raudit fleet init`): http://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE]' -r
complete -c raudit -n "__fish_raudit_using_subcommand export" -l cursor -d 'Where the export keeps its place [default: the database\'s path with .export.json added]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand export" -l batch -d 'Events per insert' -r
complete -c raudit -n "__fish_raudit_using_subcommand export" -l node -d 'Node name for events recorded without one, and for the database\'s loss rows [default: this machine\'s host name]' -r
complete -c raudit -n "__fish_raudit_using_subcommand export" -l retry-for -d 'Seconds to keep retrying while the server is unreachable (refused, timed out, connection lost) before giving up; 0: give up at once' -r
complete -c raudit -n "__fish_raudit_using_subcommand export" -l timeout -d 'Seconds to wait for the server: to connect, and for each read and write of a request' -r
complete -c raudit -n "__fish_raudit_using_subcommand export" -s q -l quiet -d 'Print nothing but errors'
complete -c raudit -n "__fish_raudit_using_subcommand export" -s h -l help -d 'Print help'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "daemon" -d 'Receive the kernel\'s audit records and store them (replaces auditd)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "ctl" -d 'Control the kernel audit system: rules, watches, status (auditctl syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "search" -d 'Search stored events (ausearch syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "report" -d 'Summaries and per-event reports of stored events (aureport syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "import" -d 'Load auditd log files into the database (plain, rotated or enriched)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "check" -d 'A monitoring plugin (Nagios, NRPE, Icinga, Sensu): matching events, loss, the daemon, the kernel, rules drift, free space'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "upgrade" -d 'Bring a database an older raudit wrote up to this version\'s schema'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "prune" -d 'Delete the events stored before a time, oldest first, through the chain'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "verify" -d 'Check the database\'s tamper-evident chain; name the first break'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "fleet" -d 'The fleet\'s tables in ClickHouse (see raudit-export(8))'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "export" -d 'Copy a database\'s events and loss rows into the fleet\'s ClickHouse tables'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import check upgrade prune verify fleet export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and __fish_seen_subcommand_from fleet" -f -a "init" -d 'Create the fleet\'s database and tables in ClickHouse (idempotent)'

# raudit's own completion, beside clap's above: auditctl's options for
# `raudit ctl`, record types, syscall names and the stored keys for
# `raudit search`. Filled in by `raudit generate completions`.
complete -c raudit -n "__fish_seen_subcommand_from ctl" -f -a "-a -A -d -w -W -p -S -F -C -k -D -l -s -e -f -r -b -m -R -t -v -h -i -c -q --backlog_wait_time --reset-lost --reset_backlog_wait_time_actual --loginuid-immutable --signal --help --version"
complete -c raudit -n "__fish_seen_subcommand_from search" -s k -l key -x -a "(raudit search --list-keys 2>/dev/null)"
complete -c raudit -n "__fish_seen_subcommand_from search" -s m -l message -x -a "GET SET LIST ADD DEL USER LOGIN WATCH_INS WATCH_REM WATCH_LIST SIGNAL_INFO ADD_RULE DEL_RULE LIST_RULES TRIM MAKE_EQUIV TTY_GET TTY_SET SET_FEATURE GET_FEATURE USER_AUTH USER_ACCT USER_MGMT CRED_ACQ CRED_DISP USER_START USER_END USER_AVC USER_CHAUTHTOK USER_ERR CRED_REFR USYS_CONFIG USER_LOGIN USER_LOGOUT ADD_USER DEL_USER ADD_GROUP DEL_GROUP DAC_CHECK CHGRP_ID TEST TRUSTED_APP USER_SELINUX_ERR USER_CMD USER_TTY CHUSER_ID GRP_AUTH SYSTEM_BOOT SYSTEM_SHUTDOWN SYSTEM_RUNLEVEL SERVICE_START SERVICE_STOP GRP_MGMT GRP_CHAUTHTOK MAC_CHECK ACCT_LOCK ACCT_UNLOCK USER_DEVICE SOFTWARE_UPDATE DAEMON_START DAEMON_END DAEMON_ABORT DAEMON_CONFIG DAEMON_RECONFIG DAEMON_ROTATE DAEMON_RESUME DAEMON_ACCEPT DAEMON_CLOSE DAEMON_ERR SYSCALL FS_WATCH PATH IPC SOCKETCALL CONFIG_CHANGE SOCKADDR CWD FS_INODE EXECVE IPC_SET_PERM MQ_OPEN MQ_SENDRECV MQ_NOTIFY MQ_GETSETATTR KERNEL_OTHER FD_PAIR OBJ_PID TTY EOE BPRM_FCAPS CAPSET MMAP NETFILTER_PKT NETFILTER_CFG SECCOMP PROCTITLE FEATURE_CHANGE REPLACE KERN_MODULE FANOTIFY TIME_INJOFFSET TIME_ADJNTPVAL BPF EVENT_LISTENER URINGOP OPENAT2 DM_CTRL DM_EVENT AVC SELINUX_ERR AVC_PATH MAC_POLICY_LOAD MAC_STATUS MAC_CONFIG_CHANGE MAC_UNLBL_ALLOW MAC_CIPSOV4_ADD MAC_CIPSOV4_DEL MAC_MAP_ADD MAC_MAP_DEL MAC_IPSEC_ADDSA MAC_IPSEC_DELSA MAC_IPSEC_ADDSPD MAC_IPSEC_DELSPD MAC_IPSEC_EVENT MAC_UNLBL_STCADD MAC_UNLBL_STCDEL MAC_CALIPSO_ADD MAC_CALIPSO_DEL AA APPARMOR_AUDIT APPARMOR_ALLOWED APPARMOR_DENIED APPARMOR_HINT APPARMOR_STATUS APPARMOR_ERROR ANOM_PROMISCUOUS ANOM_ABEND ANOM_LINK ANOM_CREAT INTEGRITY_DATA INTEGRITY_METADATA INTEGRITY_STATUS INTEGRITY_HASH INTEGRITY_PCR INTEGRITY_RULE INTEGRITY_EVM_XATTR INTEGRITY_POLICY_RULE KERNEL ANOM_LOGIN_FAILURES ANOM_LOGIN_TIME ANOM_LOGIN_SESSIONS ANOM_LOGIN_ACCT ANOM_LOGIN_LOCATION ANOM_MAX_DAC ANOM_MAX_MAC ANOM_AMTU_FAIL ANOM_RBAC_FAIL ANOM_RBAC_INTEGRITY_FAIL ANOM_CRYPTO_FAIL ANOM_ACCESS_FS ANOM_EXEC ANOM_MK_EXEC ANOM_ADD_ACCT ANOM_DEL_ACCT ANOM_MOD_ACCT ANOM_ROOT_TRANS ANOM_LOGIN_SERVICE ANOM_LOGIN_ROOT ANOM_ORIGIN_FAILURES ANOM_SESSION RESP_ANOMALY RESP_ALERT RESP_KILL_PROC RESP_TERM_ACCESS RESP_ACCT_REMOTE RESP_ACCT_LOCK_TIMED RESP_ACCT_UNLOCK_TIMED RESP_ACCT_LOCK RESP_TERM_LOCK RESP_SEBOOL RESP_EXEC RESP_SINGLE RESP_HALT RESP_ORIGIN_BLOCK RESP_ORIGIN_BLOCK_TIMED RESP_ORIGIN_UNBLOCK_TIMED USER_ROLE_CHANGE ROLE_ASSIGN ROLE_REMOVE LABEL_OVERRIDE LABEL_LEVEL_CHANGE USER_LABELED_EXPORT USER_UNLABELED_EXPORT DEV_ALLOC DEV_DEALLOC FS_RELABEL USER_MAC_POLICY_LOAD ROLE_MODIFY USER_MAC_CONFIG_CHANGE USER_MAC_STATUS CRYPTO_TEST_USER CRYPTO_PARAM_CHANGE_USER CRYPTO_LOGIN CRYPTO_LOGOUT CRYPTO_KEY_USER CRYPTO_FAILURE_USER CRYPTO_REPLAY_USER CRYPTO_SESSION CRYPTO_IKE_SA CRYPTO_IPSEC_SA VIRT_CONTROL VIRT_RESOURCE VIRT_MACHINE_ID VIRT_INTEGRITY_CHECK VIRT_CREATE VIRT_DESTROY VIRT_MIGRATE_IN VIRT_MIGRATE_OUT ALL"
complete -c raudit -n "__fish_seen_subcommand_from search" -l syscall -o sc -x -a "read write open close stat fstat lstat poll lseek mmap mprotect munmap brk rt_sigaction rt_sigprocmask rt_sigreturn ioctl pread pwrite readv writev access pipe select sched_yield mremap msync mincore madvise shmget shmat shmctl dup dup2 pause nanosleep getitimer alarm setitimer getpid sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen getsockname getpeername socketpair setsockopt getsockopt clone fork vfork execve exit wait4 kill uname semget semop semctl shmdt msgget msgsnd msgrcv msgctl fcntl flock fsync fdatasync truncate ftruncate getdents getcwd chdir fchdir rename mkdir rmdir creat link unlink symlink readlink chmod fchmod chown fchown lchown umask gettimeofday getrlimit getrusage sysinfo times ptrace getuid syslog getgid setuid setgid geteuid getegid setpgid getppid getpgrp setsid setreuid setregid getgroups setgroups setresuid getresuid setresgid getresgid getpgid setfsuid setfsgid getsid capget capset rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend sigaltstack utime mknod uselib personality ustat statfs fstatfs sysfs getpriority setpriority sched_setparam sched_getparam sched_setscheduler sched_getscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval mlock munlock mlockall munlockall vhangup modify_ldt pivot_root _sysctl prctl arch_prctl adjtimex setrlimit chroot sync acct settimeofday mount umount2 swapon swapoff reboot sethostname setdomainname iopl ioperm create_module init_module delete_module get_kernel_syms query_module quotactl nfsservctl getpmsg putpmsg afs_syscall tuxcall security gettid readahead setxattr lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr removexattr lremovexattr fremovexattr tkill time futex sched_setaffinity sched_getaffinity set_thread_area io_setup io_destroy io_getevents io_submit io_cancel get_thread_area lookup_dcookie epoll_create epoll_ctl_old epoll_wait_old remap_file_pages getdents64 set_tid_address restart_syscall semtimedop fadvise64 timer_create timer_settime timer_gettime timer_getoverrun timer_delete clock_settime clock_gettime clock_getres clock_nanosleep exit_group epoll_wait epoll_ctl tgkill utimes vserver mbind set_mempolicy get_mempolicy mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr kexec_load waitid add_key request_key keyctl ioprio_set ioprio_get inotify_init inotify_add_watch inotify_rm_watch migrate_pages openat mkdirat mknodat fchownat futimesat newfstatat unlinkat renameat linkat symlinkat readlinkat fchmodat faccessat pselect6 ppoll unshare set_robust_list get_robust_list splice tee sync_file_range vmsplice move_pages utimensat epoll_pwait signalfd timerfd_create eventfd fallocate timerfd_settime timerfd_gettime accept4 signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev rt_tgsigqueueinfo perf_event_open recvmmsg fanotify_init fanotify_mark prlimit64 name_to_handle_at open_by_handle_at clock_adjtime syncfs sendmmsg setns getcpu process_vm_readv process_vm_writev kcmp finit_module sched_setattr sched_getattr renameat2 seccomp getrandom memfd_create kexec_file_load bpf execveat userfaultfd membarrier mlock2 copy_file_range preadv2 pwritev2 pkey_mprotect pkey_alloc pkey_free statx io_pgetevents rseq pidfd_send_signal io_uring_setup io_uring_enter io_uring_register open_tree move_mount fsopen fsconfig fsmount fspick pidfd_open clone3 close_range openat2 pidfd_getfd faccessat2 process_madvise epoll_pwait2 mount_setattr quotactl_fd landlock_create_ruleset landlock_add_rule landlock_restrict_self memfd_secret process_mrelease futex_waitv set_mempolicy_home_node"
complete -c raudit -n "__fish_seen_subcommand_from search" -o ui -o ue -o ul -o ua -x -a "(__fish_complete_users)"
complete -c raudit -n "__fish_seen_subcommand_from search" -o gi -o ge -o ga -x -a "(__fish_complete_groups)"
complete -c raudit -n "__fish_seen_subcommand_from search report" -o ts -o te -x -a "now recent boot this-hour today yesterday this-week week-ago this-month this-year"
