//! Synthetic auditd logs (RAW format) for the order and report tests: a
//! busy machine's mix of syscall events (SYSCALL, CWD, PATH, PROCTITLE;
//! some with SOCKADDR or an AVC; no EOE, which auditd does not write),
//! user messages, rule changes and crashes, with the quirks real logs
//! have: events of two CPUs interleave (an event's records written after
//! the next event's first one), records of an event written seconds later,
//! a log that starts in the middle of an event (the rest of one begun in
//! the previous file), several nodes. Deterministic for a seed, so that a
//! failure can be replayed.

use std::fmt::Write as _;

/// What a synthetic log holds.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub events: usize,
    pub seed: u64,
    /// The first event's second.
    pub start: i64,
    /// One event in `interleave` has its records after the next event's
    /// first record (0: none).
    pub interleave: usize,
    /// One event in `late` has its PROCTITLE written 3 seconds later (0:
    /// none): ausearch then makes it an event of its own.
    pub late: usize,
    /// The log starts with the last records of an event begun before it.
    pub mid_event: bool,
    /// Records carry `node=` of two machines.
    pub nodes: bool,
}

impl Spec {
    pub fn new(events: usize, seed: u64) -> Spec {
        Spec {
            events,
            seed,
            start: 1_700_000_000,
            interleave: 20,
            late: 0,
            mid_event: false,
            nodes: false,
        }
    }
}

/// A small xorshift generator: the same log for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const EXES: &[(&str, &str)] = &[
    ("/usr/bin/bash", "bash"),
    ("/usr/bin/cat", "cat"),
    ("/usr/sbin/nginx", "nginx"),
    ("/usr/bin/python3.11", "python3"),
    ("/usr/sbin/sshd", "sshd"),
    ("/usr/bin/vim.basic", "vim"),
];
const KEYS: &[&str] = &["\"etc\"", "\"web\"", "\"passwd\"", "(null)"];
const FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/hosts",
    "/var/www/index.html",
    "/tmp/a",
    "/tmp/b",
    "run.sh",
];
const HOSTS: &[&str] = &["10.0.0.5", "192.168.1.40", "203.0.113.9"];
const UIDS: &[u32] = &[0, 0, 1000, 33];

/// The records of one event, without their stamp: (type, body).
type Records = Vec<(&'static str, String)>;

/// A record written seconds after its event: (when in ms, stamp, node,
/// record).
type Late<'a> = (i64, String, Option<&'a str>, (&'static str, String));

fn syscall(rng: &mut Rng, nr: u32, items: usize) -> String {
    let (exe, comm) = *rng.pick(EXES);
    let uid = *rng.pick(UIDS);
    let ok = rng.below(10) > 0;
    let pid = 3000 + rng.below(40);
    format!(
        "arch=c000003e syscall={nr} success={} exit={} a0=ffffff9c a1=7ffd6a1b2c30 a2=0 a3=0 \
         items={items} ppid=1 pid={pid} auid={uid} uid={uid} gid={uid} euid={uid} suid={uid} \
         fsuid={uid} egid={uid} sgid={uid} fsgid={uid} tty=pts{} ses=3 comm=\"{comm}\" \
         exe=\"{exe}\" key={}",
        if ok { "yes" } else { "no" },
        if ok { 3 } else { -13 },
        rng.below(2),
        rng.pick(KEYS)
    )
}

fn path(item: usize, name: &str) -> String {
    format!(
        "item={item} name=\"{name}\" inode=131 dev=fd:00 mode=0100644 ouid=0 ogid=0 \
         rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0"
    )
}

fn file_event(rng: &mut Rng) -> Records {
    let nr = *rng.pick(&[2, 257, 4, 87]);
    let names = 1 + rng.below(2);
    let mut r = vec![
        ("SYSCALL", syscall(rng, nr, names)),
        (
            "CWD",
            format!("cwd=\"{}\"", rng.pick(&["/", "/root", "/srv"])),
        ),
    ];
    for item in 0..names {
        let name = *rng.pick(FILES);
        r.push(("PATH", path(item, name)));
    }
    if rng.below(40) == 0 {
        r.push((
            "AVC",
            "avc:  denied  { read } for  pid=3001 comm=\"nginx\" name=\"shadow\" dev=\"vda1\" \
             ino=1234 scontext=system_u:system_r:httpd_t:s0 \
             tcontext=system_u:object_r:shadow_t:s0 tclass=file permissive=0"
                .to_string(),
        ));
    }
    r.push(("PROCTITLE", "proctitle=636174".to_string()));
    r
}

fn connect_event(rng: &mut Rng) -> Records {
    let addr: Vec<u8> = rng
        .pick(HOSTS)
        .split('.')
        .map(|o| o.parse().unwrap())
        .collect();
    vec![
        ("SYSCALL", syscall(rng, 42, 0)),
        (
            "SOCKADDR",
            format!(
                "saddr=02000050{:02X}{:02X}{:02X}{:02X}0000000000000000",
                addr[0], addr[1], addr[2], addr[3]
            ),
        ),
        ("PROCTITLE", "proctitle=6375726C".to_string()),
    ]
}

fn user_event(rng: &mut Rng) -> Records {
    let host = rng.pick(HOSTS);
    let ok = if rng.below(3) > 0 {
        "success"
    } else {
        "failed"
    };
    let (kind, op) = *rng.pick(&[
        ("USER_LOGIN", "login"),
        ("USER_AUTH", "PAM:authentication"),
        ("USER_ACCT", "PAM:accounting"),
        ("CRED_ACQ", "PAM:setcred"),
    ]);
    let acct = rng.pick(&["root", "alice", "bob"]);
    vec![(
        kind,
        format!(
            "pid={} uid=0 auid=1000 ses=3 subj=unconfined msg='op={op} acct=\"{acct}\" \
             exe=\"/usr/sbin/sshd\" hostname={host} addr={host} terminal=ssh res={ok}'",
            4000 + rng.below(20)
        ),
    )]
}

fn other_event(rng: &mut Rng) -> Records {
    if rng.below(2) == 0 {
        vec![(
            "CONFIG_CHANGE",
            "auid=0 ses=3 subj=unconfined op=add_rule key=\"etc\" list=4 res=1".to_string(),
        )]
    } else {
        vec![(
            "ANOM_ABEND",
            "auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=3005 comm=\"worker\" \
             exe=\"/opt/app/worker\" sig=11 res=1"
                .to_string(),
        )]
    }
}

/// One record as auditd writes it.
fn line(out: &mut String, node: Option<&str>, stamp: &str, (kind, body): &(&str, String)) {
    if let Some(n) = node {
        let _ = write!(out, "node={n} ");
    }
    let _ = writeln!(out, "type={kind} msg=audit({stamp}): {body}");
}

/// The log's text.
pub fn log(spec: Spec) -> String {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::new();
    let mut ms = spec.start * 1000;
    let mut serial = 5000u64;
    if spec.mid_event {
        let stamp = format!("{}.{:03}:{}", spec.start - 1, 999, serial - 1);
        line(&mut out, None, &stamp, &("PATH", path(1, "/etc/group")));
        line(
            &mut out,
            None,
            &stamp,
            &("PROCTITLE", "proctitle=6C73".into()),
        );
    }
    // Records written later: (when, stamp, node, record).
    let mut held: Vec<(String, Option<&str>, Records)> = Vec::new();
    let mut late: Vec<Late> = Vec::new();
    for n in 0..spec.events {
        ms += rng.below(300) as i64;
        serial += 1;
        let node = spec.nodes.then(|| *rng.pick(&["alpha", "beta"]));
        let stamp = format!("{}.{:03}:{serial}", ms / 1000, ms % 1000);
        let records = match rng.below(20) {
            0..=13 => file_event(&mut rng),
            14 | 15 => connect_event(&mut rng),
            16..=18 => user_event(&mut rng),
            _ => other_event(&mut rng),
        };
        let syscall = records[0].0 == "SYSCALL";
        while late.first().is_some_and(|l| l.0 <= ms) {
            let (_, stamp, node, record) = late.remove(0);
            line(&mut out, node, &stamp, &record);
        }
        line(&mut out, node, &stamp, &records[0]);
        for (stamp, node, rest) in held.drain(..) {
            for r in &rest {
                line(&mut out, node, &stamp, r);
            }
        }
        let mut records = records;
        let mut rest: Records = records.split_off(1);
        if syscall && spec.late > 0 && n % spec.late == spec.late / 2 {
            let title = rest.iter().position(|r| r.0 == "PROCTITLE").unwrap();
            late.push((ms + 3000, stamp.clone(), node, rest.remove(title)));
        }
        if syscall && spec.interleave > 0 && n % spec.interleave == 1 {
            held.push((stamp, node, rest));
        } else {
            for r in &rest {
                line(&mut out, node, &stamp, r);
            }
        }
    }
    for (stamp, node, rest) in held {
        for r in &rest {
            line(&mut out, node, &stamp, r);
        }
    }
    for (_, stamp, node, record) in late {
        line(&mut out, node, &stamp, &record);
    }
    out
}
