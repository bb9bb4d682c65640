#!/usr/bin/env python3
"""A synthetic auditd log (RAW format, without the EOE records auditd does
not write) of a busy machine, for measuring imports and reports without
recording a load through the kernel.

Usage: benches/synth_log.py EVENTS [SEED] > audit.log

Most events are file syscalls (SYSCALL, CWD, 1-2 PATH, PROCTITLE) of
a few thousand processes running a few dozen programs under a dozen rule
keys, a tenth of them failed; then execve and connect events, cron's PAM
sequences, ssh logins (some failed), sudo, service starts, rule changes,
AVC denials and crashes. One event in fifty has its records written after
the next event began (events of two CPUs interleave), as auditd logs them.
The timestamps cover about a day.
"""

import random
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
out = sys.stdout
write = out.write

EXES = [
    ("/usr/bin/bash", "bash"), ("/usr/bin/python3.11", "python3"),
    ("/usr/sbin/nginx", "nginx"), ("/usr/lib/postgresql/15/bin/postgres", "postgres"),
    ("/usr/bin/cat", "cat"), ("/usr/bin/ls", "ls"), ("/usr/sbin/sshd", "sshd"),
    ("/usr/sbin/cron", "cron"), ("/usr/bin/sudo", "sudo"), ("/usr/bin/vim.basic", "vim"),
    ("/usr/lib/systemd/systemd", "systemd"), ("/usr/bin/grep", "grep"),
    ("/usr/bin/find", "find"), ("/usr/bin/rsync", "rsync"), ("/usr/bin/git", "git"),
    ("/usr/bin/tar", "tar"), ("/usr/sbin/rsyslogd", "rsyslogd"), ("/usr/bin/dpkg", "dpkg"),
    ("/opt/app/bin/worker", "worker"), ("/usr/bin/node", "node"),
]
KEYS = ["etc", "passwd", "shadow", "web", "db", "logins", "exec", "net", "modules",
        "time-change", "perm_mod", None, None]
DIRS = ["/etc", "/var/log", "/var/www/html", "/srv/data", "/home/alice", "/tmp",
        "/usr/lib/x86_64-linux-gnu", "/opt/app/conf", "/var/lib/postgresql/15/main"]
FILES = [f"{d}/file{i}" for d in DIRS for i in range(600)]
FILES += ["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers", "./run.sh", "../conf/app.ini"]
CWDS = ["/", "/root", "/home/alice", "/srv/data", "/var/www/html", "/opt/app"]
USERS = [0, 0, 0, 1000, 1001, 33, 108]
HOSTS = ["10.0.0.5", "10.0.0.17", "192.168.1.40", "203.0.113.9"]
SYSCALLS = [(257, "openat"), (2, "open"), (4, "stat"), (87, "unlink"), (90, "chmod"),
            (82, "rename")]

procs = []
for pid in range(3000, 6000):
    exe, comm = rng.choice(EXES)
    uid = rng.choice(USERS)
    procs.append((pid, rng.randrange(1, 3000), exe, comm, uid, rng.choice([uid, 4294967295]),
                  rng.choice(CWDS), rng.choice(["(none)", "(none)", "pts0", "pts1"]),
                  rng.randrange(1, 400)))

t = 1700000000.0
serial = 1000
pending = []  # records held back: an event whose records come after the next one


def stamp():
    return f"{int(t)}.{int(t * 1000) % 1000:03d}:{serial}"


def syscall_rec(s, p, nr, ok, exit_, items, key):
    pid, ppid, exe, comm, uid, auid, cwd, tty, ses = p
    k = f'"{key}"' if key else "(null)"
    return (f"type=SYSCALL msg=audit({s}): arch=c000003e syscall={nr} success={'yes' if ok else 'no'} "
            f"exit={exit_} a0=ffffff9c a1=7ffd6a1b2c30 a2=0 a3=0 items={items} ppid={ppid} pid={pid} "
            f"auid={auid} uid={uid} gid={uid} euid={uid} suid={uid} fsuid={uid} egid={uid} sgid={uid} "
            f"fsgid={uid} tty={tty} ses={ses if auid != 4294967295 else 4294967295} comm=\"{comm}\" "
            f"exe=\"{exe}\" subj=unconfined key={k}\n")


def file_event(s, p):
    nr, _ = rng.choice(SYSCALLS)
    ok = rng.random() > 0.1
    name = rng.choice(FILES)
    recs = [syscall_rec(s, p, nr, ok, 3 if ok else rng.choice([-13, -2]), 1, rng.choice(KEYS)),
            f'type=CWD msg=audit({s}): cwd="{p[6]}"\n']
    if rng.random() < 0.3:
        recs.append(f'type=PATH msg=audit({s}): item=0 name="{name.rsplit("/", 1)[0]}/" inode=131 '
                    f"dev=fd:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 "
                    f"cap_fe=0 cap_fver=0 cap_frootid=0\n")
    recs.append(f'type=PATH msg=audit({s}): item={len(recs) - 2} name="{name}" inode={rng.randrange(1, 99999)} '
                f"dev=fd:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
                f"cap_fe=0 cap_fver=0 cap_frootid=0\n")
    recs.append(f"type=PROCTITLE msg=audit({s}): proctitle={p[3].encode().hex().upper()}\n")
    return recs


def exec_event(s, p):
    recs = [syscall_rec(s, p, 59, True, 0, 2, "exec"),
            f'type=EXECVE msg=audit({s}): argc=2 a0="{p[3]}" a1="-v"\n',
            f'type=CWD msg=audit({s}): cwd="{p[6]}"\n',
            f'type=PATH msg=audit({s}): item=0 name="{p[2]}" inode=4242 dev=fd:00 mode=0100755 ouid=0 '
            f"ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n",
            f"type=PROCTITLE msg=audit({s}): proctitle={p[3].encode().hex().upper()}\n"]
    return recs


def connect_event(s, p):
    a, b, c, d = (int(x) for x in rng.choice(HOSTS).split("."))
    saddr = f"02000050{a:02X}{b:02X}{c:02X}{d:02X}0000000000000000"
    return [syscall_rec(s, p, 42, True, 0, 0, "net"),
            f"type=SOCKADDR msg=audit({s}): saddr={saddr}\n",
            f"type=PROCTITLE msg=audit({s}): proctitle={p[3].encode().hex().upper()}\n"]


def user_msg(s, typ, pid, uid, auid, ses, op, acct, exe, host, addr, term, ok):
    return (f"type={typ} msg=audit({s}): pid={pid} uid={uid} auid={auid} ses={ses} "
            f"subj=unconfined msg='op={op} acct=\"{acct}\" exe=\"{exe}\" hostname={host} addr={addr} "
            f"terminal={term} res={'success' if ok else 'failed'}'\n")


def lone_events():
    """Single-record events: each is its own event (a new serial)."""
    global serial
    r = rng.random()
    pid = rng.randrange(7000, 9000)
    if r < 0.55:  # cron's PAM sequence
        seq = [("USER_ACCT", "PAM:accounting"), ("CRED_ACQ", "PAM:setcred"),
               ("USER_START", "PAM:session_open"), ("CRED_DISP", "PAM:setcred"),
               ("USER_END", "PAM:session_close")]
        out = []
        for typ, op in seq:
            serial += 1
            out.append([user_msg(stamp(), typ, pid, 0, 4294967295 if typ == "USER_ACCT" else 0, 77,
                                 op, "root", "/usr/sbin/cron", "?", "?", "cron", True)])
        return out
    if r < 0.8:  # ssh logins
        host = rng.choice(HOSTS)
        ok = rng.random() > 0.3
        who = rng.choice(["alice", "bob", "root", "admin"])
        serial += 1
        a = [user_msg(stamp(), "USER_AUTH", pid, 0, 4294967295, 4294967295, "PAM:authentication",
                      who, "/usr/sbin/sshd", host, host, "ssh", ok)]
        serial += 1
        whom = "id=1000" if ok else f'acct="{who}"'
        b = [(f"type=USER_LOGIN msg=audit({stamp()}): pid={pid} uid=0 auid={1000 if ok else 4294967295} "
              f"ses={12 if ok else 4294967295} subj=unconfined msg='op=login "
              f"{whom} exe=\"/usr/sbin/sshd\" hostname=? addr={host} "
              f"terminal=/dev/pts/1 res={'success' if ok else 'failed'}'\n")]
        return [a, b]
    serial += 1
    s = stamp()
    if r < 0.9:
        return [[user_msg(s, "USER_CMD", pid, 1000, 1000, 12, "?", "alice", "/usr/bin/sudo", "?", "?",
                          "pts/1", rng.random() > 0.1).replace("op=? acct=\"alice\"", "cwd=\"/home/alice\" cmd=6C73")]]
    if r < 0.95:
        return [[f"type=SERVICE_START msg=audit({s}): pid=1 uid=0 auid=4294967295 ses=4294967295 "
                 f"subj=unconfined msg='unit=nginx comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" "
                 f"hostname=? addr=? terminal=? res=success'\n"]]
    if r < 0.97:
        return [[f"type=ANOM_ABEND msg=audit({s}): auid=1000 uid=1000 gid=1000 ses=12 subj=unconfined "
                 f"pid={pid} comm=\"worker\" exe=\"/opt/app/bin/worker\" sig=11 res=1\n"]]
    if r < 0.99:
        return [[f"type=AVC msg=audit({s}): avc:  denied  {{ read }} for  pid={pid} comm=\"nginx\" "
                 f"name=\"secret\" dev=\"vda1\" ino=1234 scontext=system_u:system_r:httpd_t:s0 "
                 f"tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0\n"]]
    return [[f"type=CONFIG_CHANGE msg=audit({s}): auid=0 ses=3 subj=unconfined op=add_rule "
             f"key=\"etc\" list=4 res=1\n"]]


made = 0
while made < N:
    t += rng.expovariate(N / 86400.0)
    r = rng.random()
    if r < 0.97:
        serial += 1
        p = rng.choice(procs)
        s = stamp()
        kind = rng.random()
        recs = file_event(s, p) if kind < 0.9 else exec_event(s, p) if kind < 0.97 else connect_event(s, p)
        events = [recs]
    else:
        events = lone_events()
    for recs in events:
        made += 1
        if pending:
            # The held event's records follow this event's first record.
            write(recs[0])
            for rec in pending:
                write(rec)
            pending = []
            for rec in recs[1:]:
                write(rec)
            continue
        if len(recs) > 2 and rng.random() < 0.02:
            write(recs[0])
            pending = recs[1:]
            continue
        for rec in recs:
            write(rec)
for rec in pending:
    write(rec)
