#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/: a small starting corpus per target, cut from
the repository's own test data (tests/data, the go-libaudit records in
tests/data/corpus, tests/data/kernel-rules.hex, debian/raudit.conf).
Run from anywhere; it replaces the seed directories. The fuzzers' grown
corpora (fuzz/corpus/) are not kept in the repository."""

import os
import re
import shutil
import struct

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
DATA = os.path.join(ROOT, "tests", "data")
CORPUS = os.path.join(DATA, "corpus")
SEEDS = os.path.join(FUZZ, "seeds")
# Seeds stay small: libFuzzer's mutations work best on short inputs.
MAX = 4096


def read(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def log_lines(data):
    """The `type=` lines of a log (kernel-6.18.log also has command lines)."""
    return [l for l in data.split(b"\n") if l.startswith((b"type=", b"node="))]


def cut(data):
    """At most MAX bytes, ending at a line end."""
    if len(data) <= MAX:
        return data
    return data[: data.rfind(b"\n", 0, MAX) + 1]


def yaml_events(data):
    """The raw records of each event in a go-libaudit events-*.yaml."""
    events, cur = [], []
    for line in data.split(b"\n"):
        s = line.strip()
        if s.startswith((b"type=", b"node=")):
            cur.append(s)
        elif cur:
            events.append(b"\n".join(cur) + b"\n")
            cur = []
    if cur:
        events.append(b"\n".join(cur) + b"\n")
    return events


def nlmsg(mtype, payload, flags=0, seq=0, length=None):
    """A netlink message; `length` overrides nlmsg_len (the audit quirk)."""
    n = 16 + len(payload) if length is None else length
    body = struct.pack("=IHHII", n, mtype, flags, seq, 0) + payload
    return body + b"\0" * (-len(body) % 4)


def kernel_rules():
    """(command, payload) of each rule in kernel-rules.hex."""
    out, cmd, buf = [], None, {}
    for line in read(DATA, "kernel-rules.hex").decode().split("\n"):
        if line.startswith("command: "):
            if cmd is not None:
                out.append((cmd, assemble(buf)))
            cmd, buf = line[len("command: ") :], {}
        elif re.match(r"^[0-9a-f]+: ", line):
            off, hexes = line.split(": ", 1)
            buf[int(off, 16)] = bytes.fromhex(hexes.replace(" ", ""))
        elif line.startswith("length: "):
            buf["len"] = int(line.split()[1])
    if cmd is not None:
        out.append((cmd, assemble(buf)))
    return out


def assemble(rows):
    size = rows.pop("len", None)
    end = max((o + len(b) for o, b in rows.items()), default=0)
    data = bytearray(max(end, size or 0))
    for off, b in rows.items():
        data[off : off + len(b)] = b
    return bytes(data[:size] if size else data)


def write(target, files):
    d = os.path.join(SEEDS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in files:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def netlink_frame():
    files = []
    records = log_lines(read(DATA, "kernel-6.18.log"))[:12]
    for i, line in enumerate(records):
        tname, text = line.split(b" msg=", 1)
        num = {b"type=SYSCALL": 1300, b"type=PATH": 1302, b"type=CWD": 1307,
               b"type=PROCTITLE": 1327, b"type=CONFIG_CHANGE": 1305,
               b"type=EOE": 1320}.get(tname, 1300)
        # Unicast: nlmsg_len counts the payload only.
        files.append((f"unicast-{i}", nlmsg(num, text, length=len(text))))
        files.append((f"multicast-{i}", nlmsg(num, text + b"\0")))
    for i, (cmd, payload) in enumerate(kernel_rules()[:10]):
        dgram = nlmsg(1013, payload, flags=2, seq=7) + nlmsg(3, b"\0" * 4, flags=2, seq=7)
        files.append((f"list-rules-{i}", dgram))
    status = struct.pack("=11I", 0x7F, 1, 1, 0, 0, 8192, 0, 0, 0x7F, 60000, 0)
    files.append(("status", nlmsg(1000, status, seq=3)))
    files.append(("ack", nlmsg(2, struct.pack("=i", 0) + nlmsg(1001, b"")[:16], seq=4)))
    files.append(("nack", nlmsg(2, struct.pack("=i", -1) + nlmsg(1011, b"")[:16], seq=5)))
    return files


def record():
    # The first byte picks the netlink type for parse_payload.
    lines = log_lines(read(DATA, "kernel-6.18.log"))
    lines += log_lines(read(DATA, "oracle", "enriched.log"))
    for name in ("audit-rhel6.log", "audit-ubuntu16.log", "test2.log"):
        lines += log_lines(read(CORPUS, name))
    seen, files = set(), []
    for line in lines:
        t = line.split(b" ", 1)[0]
        if t in seen:
            continue
        seen.add(t)
        files.append((f"line-{len(files)}", bytes([len(files) % 12]) + line[:MAX]))
    return files


def log_events():
    files = []
    for name in ("audit-rhel6.log", "audit-ubuntu16.log", "audit-ubuntu17.log",
                 "test2.log", "netlink-out_of_order.log", "netlink-rollover.log"):
        files.append((name, cut(read(CORPUS, name))))
    files.append(("enriched.log", cut(read(DATA, "oracle", "enriched.log"))))
    kernel = b"\n".join(log_lines(read(DATA, "kernel-6.18.log"))) + b"\n"
    files.append(("kernel-6.18.log", cut(kernel)))
    for i, ev in enumerate(yaml_events(read(CORPUS, "events-ubuntu-24.04-linux-6.8.0.yaml"))):
        files.append((f"event-{i}", ev))
    return files


def stream():
    """Logs with the stream's steps between records."""
    kernel = log_lines(read(DATA, "kernel-6.18.log"))
    out_of_order = log_lines(read(CORPUS, "netlink-out_of_order.log"))
    lost = log_lines(read(CORPUS, "netlink-lost_messages.log"))
    rollover = log_lines(read(CORPUS, "netlink-rollover.log"))

    def steps(lines, every, extra):
        out = []
        for i, l in enumerate(lines):
            out.append(l)
            if i % every == every - 1:
                out += extra
        return cut(b"\n".join(out) + b"\n")

    return [
        ("kernel", steps(kernel[:40], 3, [b"flush"])),
        ("timeouts", b"limits 100 4 8\n" + steps(kernel[:30], 2, [b"wait 150", b"tick", b"flush"])),
        ("out-of-order", steps(out_of_order, 4, [b"", b"wait 20", b"tick"])),
        ("lost", b"resume 50\n" + steps(lost, 5, [b"flush", b"wait 3000", b"tick"])),
        ("rollover", steps(rollover, 2, [b"flush"])),
        ("flood", b"limits 1000 2 2\n" + b"\n".join(
            b"type=PATH msg=audit(1700000000.000:%d): item=0 name=\"/x\"" % (i % 5)
            for i in range(24)) + b"\nflush\nfinish\n"),
    ]


def rules():
    files = []
    for name in (os.path.join(DATA, "ctl-corpus.rules"),
                 os.path.join(ROOT, "src", "rules", "tests", "corpus.rules")):
        lines = [l for l in read(name).split(b"\n") if l and not l.startswith(b"#")]
        for i in range(0, len(lines), 6):
            files.append((f"{os.path.basename(name)}-{i // 6}", b"\n".join(lines[i:i + 6]) + b"\n"))
    # Command lines: words separated by NULs (a word may hold blanks).
    files.append(("argv-watch", b"-w\0/etc/my file\0-p\0wa\0-k\0key with blank"))
    files.append(("argv-status", b"-s\0-i"))
    files.append(("argv-set", b"-b\08192\0-r\0100\0--backlog_wait_time\060000"))
    files.append(("argv-message", b"-m\0hello world"))
    files.append(("argv-delete", b"-D\0-k\0k1"))
    return files


def time():
    # First byte: locale (low two bits) and bound (bit 2).
    words = ["now", "recent", "boot", "this-hour", "today", "yesterday",
             "this-week", "week-ago", "this-month", "this-year", "15m", "-2h",
             "3d", "1w", "30s", "2\0hours ago", "1 hour ago", "2026-11-20T08:30:00",
             "2026-11-20T08:30:00.250+01:00", "11/20/26 08:30:00",
             "11/20/2026 08:30:00", "20.11.2026 08:30", "2026-11-20 08:30",
             "09:15:00", "09:15", "11/20/26"]
    return [(f"time-{i}", bytes([i % 8]) + w.encode()) for i, w in enumerate(words)]


def config():
    files = [("debian-raudit.conf", read(ROOT, "debian", "raudit.conf"))]
    files.append(("keys.conf", b"""log_file = /var/lib/raudit/audit.db
flush = incremental_async
freq = 50
space_left = 10%
space_left_action = exec /usr/local/sbin/space
admin_space_left = 5%
admin_space_left_action = suspend
disk_full_action = rotate
disk_error_action = syslog
max_db_size = 1024
max_db_size_action = rotate
name_format = user
name = host-a
rules_dir = /etc/raudit/rules.d
eoe_timeout_ms = 2000
max_open_events = 4096
max_event_records = 512
"""))
    files.append(("auditd.conf", b"""#
# auditd's shipped configuration
#
local_events = yes
write_logs = yes
log_file = /var/log/audit/audit.log
log_group = adm
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 8
num_logs = 5
priority_boost = 4
name_format = NONE
##name = mydomain
max_log_file_action = ROTATE
space_left = 75
space_left_action = SYSLOG
verify_email = yes
action_mail_acct = root
admin_space_left = 50
admin_space_left_action = SUSPEND
disk_full_action = SUSPEND
disk_error_action = SUSPEND
use_libwrap = yes
##tcp_listen_port = 60
tcp_listen_queue = 5
tcp_max_per_addr = 1
##tcp_client_ports = 1024-65535
tcp_client_max_idle = 0
transport = TCP
krb5_principal = auditd
##krb5_key_file = /etc/audit/audit.key
distribute_network = no
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = /etc/audit/plugins.d
end_of_event_timeout = 2
"""))
    return files


TARGETS = {
    "netlink_frame": netlink_frame,
    "record": record,
    "log_events": log_events,
    "stream": stream,
    "rules": rules,
    "time": time,
    "config": config,
}

if __name__ == "__main__":
    for target, make in TARGETS.items():
        write(target, make())
    for name in ("LICENSE-go-libaudit.txt", "NOTICE-go-libaudit.txt"):
        shutil.copy(os.path.join(CORPUS, name), os.path.join(SEEDS, name))
