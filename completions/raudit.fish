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
complete -c raudit -n "__fish_raudit_using_subcommand search" -s k -l key -d 'Events with this key (any of an event\'s keys)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s f -l file -d 'Events that touched this file (PATH names, working directory)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s m -l message -d 'Events holding a record of these types (names or numbers, comma lists, ALL)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s p -l pid -d 'Events of this process id' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l ppid -d 'Events of this parent process id (`-pp`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s a -l event -d 'The event with this serial number' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l start -d 'Start time (`-ts`): keyword, date and/or time, ISO 8601, or a relative time such as 15m, 2h, 3d' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l end -d 'End time (`-te`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid -d 'User id, name or number (`-ui`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid-effective -d 'Effective user id (`-ue`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l loginuid -d 'Login user id, auid (`-ul`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l uid-all -d 'Any of user id, effective user id or login user id (`-ua`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid -d 'Group id, name or number (`-gi`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid-effective -d 'Effective group id (`-ge`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l gid-all -d 'Group id or effective group id (`-ga`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l syscall -d 'System call, name (for --arch, else this machine) or number (`-sc`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l arch -d 'CPU architecture: b32, b64 or a machine name' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l success -d 'Whether the system call succeeded: yes or no (`-sv`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s e -l exit -d 'System call exit code: a number or an errno name such as -EPERM' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l session -d 'Login session id' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s c -l comm -d 'Command name (comm)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s x -l executable -d 'Executable path (exe)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l host -d 'Remote host name or address (`-hn`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l terminal -d 'Terminal (`-tm`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l context -d 'Subject or object security context (`-se`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l subject -d 'Subject security context (`-su`)' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s o -l object -d 'Object security context' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -s n -l node -d 'Node name' -r
complete -c raudit -n "__fish_raudit_using_subcommand search" -l checkpoint -d 'Resume after the last event a previous search with the same FILE printed, and record this search\'s last event there' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -l format -d 'Output form' -r -f -a "default\t'As ausearch prints by default: `----`, `time->`, records newest-first'
raw\t'Records as auditd writes them, in arrival order (`ausearch --raw`)'
interpret\t'Values interpreted, as `ausearch -i` prints them'
json\t'One JSON object per event per line (see the manual for the schema)'
csv\t'ausearch\'s normalized view, one comma-separated line per event under a header: who did what to what, how, with what result'
text\t'ausearch\'s normalized view as one English sentence per event'"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l escape -d 'How interpreted values with control or shell characters are escaped' -r -f -a "raw\t'Print values as they are'
tty\t'Control characters as `\\ooo` octal escapes'
shell\t'Also backslash-escape `"\'`$\\!()|` and space'
shell_quote\t'Also backslash-escape `;#&*?[]<>{}`'"
complete -c raudit -n "__fish_raudit_using_subcommand search" -l input -d 'Search an auditd log file, or a directory\'s audit.log and its rotations, instead of the database (`-if`); `-` reads standard input' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -l db -d 'Database to read [default: $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db]' -r -F
complete -c raudit -n "__fish_raudit_using_subcommand search" -s w -l word -d 'Text options match the whole value, not a part of it'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l just-one -d 'Stop after the first matching event'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s l -l line-buffered -d 'Flush the output after each event'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s r -l raw -d 'Records as auditd writes them (same as --format raw)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -s i -l interpret -d 'Interpret values as ausearch -i does (same as --format interpret)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-keys -d 'With --format csv: add a last column, KEY, with the rule\'s key'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-labels -d 'With --format csv: add SUBJ_LABEL and OBJ_LABEL columns, the subject\'s and object\'s security labels'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-obj2 -d 'With --format csv: add an OBJ2 column, a second object (a rename\'s new name, a chown\'s new owner, ...)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l extra-time -d 'With --format csv: add YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI and GMT_OFFSET columns'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l stdin -d 'Search raw records read from standard input (as `-if -`)'
complete -c raudit -n "__fish_raudit_using_subcommand search" -l loss -d 'List recorded losses (kernel lost counter, serial gaps) instead of events'
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
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "daemon" -d 'Receive the kernel\'s audit records and store them (replaces auditd)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "ctl" -d 'Control the kernel audit system: rules, watches, status (auditctl syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "search" -d 'Search stored events (ausearch syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "report" -d 'Summaries and per-event reports of stored events (aureport syntax)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "import" -d 'Load auditd log files into the database (plain, rotated or enriched)'
complete -c raudit -n "__fish_raudit_using_subcommand help; and not __fish_seen_subcommand_from daemon ctl search report import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
