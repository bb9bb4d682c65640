
# raudit's own completion, beside clap's above: auditctl's options for
# `raudit ctl`, record types, syscall names and the stored keys for
# `raudit search`. Filled in by `raudit generate completions`.
complete -c raudit -n "__fish_seen_subcommand_from ctl" -f -a "@CTL_OPTIONS@"
complete -c raudit -n "__fish_seen_subcommand_from search" -s k -l key -x -a "(raudit search --list-keys 2>/dev/null)"
complete -c raudit -n "__fish_seen_subcommand_from search" -s m -l message -x -a "@RECORD_TYPES@ ALL"
complete -c raudit -n "__fish_seen_subcommand_from search" -l syscall -o sc -x -a "@SYSCALLS@"
complete -c raudit -n "__fish_seen_subcommand_from search" -o ui -o ue -o ul -o ua -x -a "(__fish_complete_users)"
complete -c raudit -n "__fish_seen_subcommand_from search" -o gi -o ge -o ga -x -a "(__fish_complete_groups)"
complete -c raudit -n "__fish_seen_subcommand_from search report" -o ts -o te -x -a "@TIME_KEYWORDS@"
