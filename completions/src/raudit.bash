
# raudit's own completion, ahead of clap's `_raudit` above: auditctl's
# options and their values for `raudit ctl` (whose words clap does not
# parse), and for `raudit search` and `raudit report` ausearch's and
# aureport's short names (-ts, -ui, ...), record types, users, groups,
# syscall names and the keys stored in the database. The word lists are
# filled in by `raudit generate completions` from raudit's own tables.

_raudit_ctl_options='@CTL_OPTIONS@'
_raudit_list_actions='@LIST_ACTIONS@'
_raudit_fields='@FIELDS@'
_raudit_syscalls='@SYSCALLS@'
_raudit_types='@RECORD_TYPES@'
_raudit_search_options='@SEARCH_OPTIONS@'
_raudit_report_options='@REPORT_OPTIONS@'
_raudit_times='@TIME_KEYWORDS@'

# Completes the last item of a comma list ("SYSCALL,PA" -> "SYSCALL,PATH").
_raudit_comma_list() { # WORDS CUR
    local head=""
    [[ $2 == *,* ]] && head="${2%,*},"
    COMPREPLY=($(compgen -P "$head" -W "$1" -- "${2##*,}"))
}

# The keys stored in the database the command line names (--db), or the
# default one; nothing when it cannot be read.
_raudit_keys() { # CUR
    local i db=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == --db ]] && db=(--db "${COMP_WORDS[i + 1]}")
    done
    COMPREPLY=($(compgen -W "$(raudit search "${db[@]}" --list-keys 2>/dev/null)" -- "$1"))
}

_raudit_ctl() { # CUR PREV
    case $2 in
        -a | -A | -d) COMPREPLY=($(compgen -W "$_raudit_list_actions" -- "$1")) ;;
        -S) _raudit_comma_list "$_raudit_syscalls all" "$1" ;;
        -F)
            COMPREPLY=($(compgen -W "$_raudit_fields" -- "$1"))
            compopt -o nospace 2>/dev/null
            ;;
        -w | -W | -R) COMPREPLY=($(compgen -f -- "$1")) ;;
        -p) COMPREPLY=($(compgen -W "r w x a wa rwa rwxa" -- "$1")) ;;
        -k) _raudit_keys "$1" ;;
        # -e 2 locks the audit configuration until the next reboot: it is
        # typed, never offered.
        -e) COMPREPLY=($(compgen -W "0 1" -- "$1")) ;;
        -f) COMPREPLY=($(compgen -W "0 1 2" -- "$1")) ;;
        --signal) COMPREPLY=($(compgen -W "TERM HUP USR1 USR2 CONT" -- "$1")) ;;
        # A value being typed (bash splits "-F uid=" at the "=").
        -b | -r | -m | -q | -C | --backlog_wait_time | =) COMPREPLY=() ;;
        *) COMPREPLY=($(compgen -W "$_raudit_ctl_options" -- "$1")) ;;
    esac
}

# Returns 1 to leave the word to clap's completion.
_raudit_search() { # CUR PREV
    case $2 in
        -k | --key) _raudit_keys "$1" ;;
        -m | --message) _raudit_comma_list "$_raudit_types ALL" "$1" ;;
        -ui | --uid | -ue | --uid-effective | -ul | --loginuid | -ua | --uid-all)
            COMPREPLY=($(compgen -u -- "$1")) ;;
        -gi | --gid | -ge | --gid-effective | -ga | --gid-all)
            COMPREPLY=($(compgen -g -- "$1")) ;;
        -sc | --syscall) COMPREPLY=($(compgen -W "$_raudit_syscalls" -- "$1")) ;;
        --arch) COMPREPLY=($(compgen -W "b32 b64" -- "$1")) ;;
        -sv | --success) COMPREPLY=($(compgen -W "yes no" -- "$1")) ;;
        -ts | -te | --start | --end) COMPREPLY=($(compgen -W "$_raudit_times" -- "$1")) ;;
        -if | --input) COMPREPLY=($(compgen -f -- "$1")) ;;
        *)
            [[ $1 == -* ]] || return 1
            COMPREPLY=($(compgen -W "$_raudit_search_options" -- "$1"))
            ;;
    esac
    return 0
}

_raudit_report() { # CUR PREV
    case $2 in
        -ts | -te | --start | --end) COMPREPLY=($(compgen -W "$_raudit_times" -- "$1")) ;;
        -if | --input) COMPREPLY=($(compgen -f -- "$1")) ;;
        *)
            [[ $1 == -* ]] || return 1
            COMPREPLY=($(compgen -W "$_raudit_report_options" -- "$1"))
            ;;
    esac
    return 0
}

_raudit_more() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    if ((COMP_CWORD >= 2)); then
        case ${COMP_WORDS[1]} in
            ctl) _raudit_ctl "$cur" "$prev"; return 0 ;;
            search) _raudit_search "$cur" "$prev" && return 0 ;;
            report) _raudit_report "$cur" "$prev" && return 0 ;;
        esac
    fi
    _raudit "$@"
}

complete -F _raudit_more -o bashdefault -o default raudit
