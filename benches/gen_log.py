#!/usr/bin/env python3
"""Writes a synthetic auditd RAW log for the import benchmark.

gen_log.py normal N   N open() events (SYSCALL, CWD, PATH, PROCTITLE), a new
                      process every 50, one event per millisecond
gen_log.py open N     N SYSCALL records that never close (no PROCTITLE, no
                      EOE), all with the same timestamp: the assembler's
                      worst case
"""
import sys

def normal(n, out):
    for i in range(1, n + 1):
        sec, ms = 1795268619 + i // 1000, i % 1000
        stamp = f"audit({sec}.{ms:03d}:{i})"
        pid = 1000 + i // 50
        out.write(
            f"type=SYSCALL msg={stamp}: arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c "
            f"a1=7ffdfce24ae5 a2=0 a3=0 items=1 ppid=5603 pid={pid} auid=4294967295 uid=0 gid=0 "
            f"euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
            f"comm=\"open_loop\" exe=\"/usr/local/bin/open_loop\" subj=unconfined key=\"bench\"\n"
            f"type=CWD msg={stamp}: cwd=\"/root\"\n"
            f"type=PATH msg={stamp}: item=0 name=\"/tmp/bench/f{i % 100}\" inode=10010783 dev=fe:00 "
            f"mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
            f"cap_fver=0 cap_frootid=0\n"
            f"type=PROCTITLE msg={stamp}: proctitle=2F7573722F6C6F63616C2F62696E2F6F70656E5F6C6F6F70\n"
        )

def never_closing(n, out):
    for i in range(1, n + 1):
        out.write(
            f"type=SYSCALL msg=audit(1795268619.000:{i}): arch=c000003e syscall=257 success=yes "
            f"exit=3 items=0 ppid=1 pid={1000 + i % 500} auid=0 uid=0 gid=0 euid=0 egid=0 ses=1 "
            f"comm=\"x\" exe=\"/bin/x\" key=(null)\n"
        )

kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
{"normal": normal, "open": never_closing}[kind](n, out)
