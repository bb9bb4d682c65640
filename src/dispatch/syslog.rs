//! raudit's syslog output (`path = builtin_syslog`): each record as one
//! RFC 5424 message, to a syslog server over TCP (octet-counted framing,
//! RFC 6587), UDP (one datagram each, RFC 5426) or a unix datagram socket.
//!
//! ```text
//! <14>1 2026-12-03T18:33:09.124Z web1 raudit 4145 SYSCALL [audit@32473 serial="2811" type="SYSCALL" key="passwd"] type=SYSCALL msg=audit(...): ...
//! ```
//!
//! HOSTNAME is the event's node name (`name_format`), else this host's
//! name; the timestamp is the event's; MSGID the record type; the
//! structured data carries the serial, the type and each key of the event
//! (32473 is the enterprise number RFC 5612 reserves for documentation
//! and private use); MSG is the record as auditd writes it. `args`:
//! `tcp HOST:PORT`, `udp HOST:PORT` or `unix PATH`, then optionally a
//! facility and a level as audisp-syslog takes them (`LOG_LOCAL6`,
//! `LOG_WARNING`; default `LOG_USER` and `LOG_INFO`).

use std::io::{self, BufWriter, Write};
use std::net::{TcpStream, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};

use super::output::Sink;
use crate::event::Event;
use crate::record::Record;
use crate::store::query::Stored;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Tcp(String),
    Udp(String),
    Unix(PathBuf),
}

enum Conn {
    Tcp(BufWriter<TcpStream>),
    Udp(UdpSocket),
    Unix(UnixDatagram),
}

pub struct Syslog {
    transport: Transport,
    conn: Option<Conn>,
    priority: u8,
    host: String,
    pid: u32,
    message: String,
}

/// The facilities and levels audisp-syslog takes, with their numbers.
const FACILITIES: &[(&str, u8)] = &[
    ("LOG_KERN", 0),
    ("LOG_USER", 1),
    ("LOG_DAEMON", 3),
    ("LOG_AUTH", 4),
    ("LOG_SYSLOG", 5),
    ("LOG_AUTHPRIV", 10),
    ("LOG_LOCAL0", 16),
    ("LOG_LOCAL1", 17),
    ("LOG_LOCAL2", 18),
    ("LOG_LOCAL3", 19),
    ("LOG_LOCAL4", 20),
    ("LOG_LOCAL5", 21),
    ("LOG_LOCAL6", 22),
    ("LOG_LOCAL7", 23),
];
const LEVELS: &[(&str, u8)] = &[
    ("LOG_EMERG", 0),
    ("LOG_ALERT", 1),
    ("LOG_CRIT", 2),
    ("LOG_ERR", 3),
    ("LOG_WARNING", 4),
    ("LOG_NOTICE", 5),
    ("LOG_INFO", 6),
    ("LOG_DEBUG", 7),
];

/// The transport and the priority (facility * 8 + level) from `args`.
pub fn parse_args(args: &[String]) -> Result<(Transport, u8), String> {
    let usage = "args: tcp HOST:PORT, udp HOST:PORT or unix PATH, then optionally a facility and a level (LOG_LOCAL6 LOG_INFO)";
    let transport = match args {
        [kind, to, ..] => match kind.as_str() {
            "tcp" => Transport::Tcp(to.clone()),
            "udp" => Transport::Udp(to.clone()),
            "unix" if to.starts_with('/') => Transport::Unix(PathBuf::from(to)),
            _ => return Err(usage.into()),
        },
        _ => return Err(usage.into()),
    };
    let (mut facility, mut level) = (1, 6);
    for word in &args[2..] {
        let find = |table: &[(&str, u8)]| table.iter().find(|(n, _)| n == word).map(|(_, v)| *v);
        match (find(FACILITIES), find(LEVELS)) {
            (Some(f), _) => facility = f,
            (_, Some(l)) => level = l,
            _ => return Err(format!("unknown facility or level {word:?}; {usage}")),
        }
    }
    Ok((transport, facility * 8 + level))
}

impl Syslog {
    pub fn start(args: &[String]) -> io::Result<Syslog> {
        let (transport, priority) = parse_args(args).map_err(io::Error::other)?;
        let host = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_else(|| "-".into());
        let mut s = Syslog {
            transport,
            conn: None,
            priority,
            host,
            pid: std::process::id(),
            message: String::new(),
        };
        // A server not up yet is tried again at the first event.
        if let Err(e) = s.reopen() {
            eprintln!("raudit daemon: syslog output: {e}; trying again at the first event");
        }
        Ok(s)
    }

    fn send(&mut self) -> io::Result<()> {
        let msg = self.message.as_bytes();
        match self.conn.as_mut() {
            Some(Conn::Tcp(w)) => {
                write!(w, "{} ", msg.len())?;
                w.write_all(msg)
            }
            Some(Conn::Udp(s)) => s.send(msg).map(drop),
            Some(Conn::Unix(s)) => s.send(msg).map(drop),
            None => Err(io::Error::other("not connected")),
        }
    }
}

impl Sink for Syslog {
    fn deliver(&mut self, stored: &Stored) -> io::Result<()> {
        let event = &stored.event;
        let keys = event.keys();
        for record in &event.records {
            self.message.clear();
            message(
                &mut self.message,
                self.priority,
                &self.host,
                self.pid,
                event,
                record,
                &keys,
            );
            self.send()?;
        }
        if let Some(Conn::Tcp(w)) = self.conn.as_mut() {
            w.flush()?;
        }
        Ok(())
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.conn = None;
        let context = |e: io::Error| io::Error::new(e.kind(), format!("{:?}: {e}", self.transport));
        self.conn = Some(match &self.transport {
            Transport::Tcp(to) => {
                let stream = TcpStream::connect(to).map_err(context)?;
                // Each event is flushed as one write; Nagle's algorithm
                // would hold it for the server's delayed ACK (40 ms).
                stream.set_nodelay(true).map_err(context)?;
                Conn::Tcp(BufWriter::new(stream))
            }
            Transport::Udp(to) => {
                let s = UdpSocket::bind(if to.starts_with('[') {
                    "[::]:0"
                } else {
                    "0.0.0.0:0"
                })
                .map_err(context)?;
                s.connect(to).map_err(context)?;
                Conn::Udp(s)
            }
            Transport::Unix(path) => {
                let s = UnixDatagram::unbound().map_err(context)?;
                s.connect(path).map_err(context)?;
                Conn::Unix(s)
            }
        });
        Ok(())
    }

    fn close(&mut self) {
        if let Some(Conn::Tcp(w)) = self.conn.as_mut() {
            let _ = w.flush();
        }
    }
}

/// One record's RFC 5424 message.
pub fn message(
    out: &mut String,
    priority: u8,
    host: &str,
    pid: u32,
    event: &Event,
    record: &Record,
    keys: &[String],
) {
    use std::fmt::Write as _;
    let time = Utc
        .timestamp_opt(event.id.sec, event.id.msec * 1_000_000)
        .single()
        .map_or_else(
            || "-".into(),
            |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        );
    let host = event.node.as_deref().unwrap_or(host);
    let rtype = record.rtype.to_string();
    let _ = write!(
        out,
        "<{priority}>1 {time} {} raudit {pid} {} [audit@32473 serial=\"{}\" type=\"{}\"",
        header_word(host, 255),
        header_word(&rtype, 32),
        event.id.serial,
        param(&rtype)
    );
    for key in keys {
        let _ = write!(out, " key=\"{}\"", param(key));
    }
    let _ = write!(out, "] {}", record.log_line());
}

/// A header field: printable ASCII without blanks, at most `max` long,
/// `-` when empty (RFC 5424 section 6).
fn header_word(text: &str, max: usize) -> String {
    let word: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if word.is_empty() {
        "-".into()
    } else {
        word
    }
}

/// A structured-data value: `"`, `\` and `]` escaped (section 6.3.3).
fn param(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn stored(node: Option<&str>) -> Stored {
        use crate::record::types::{MessageType, PATH, SYSCALL};
        let lines: [(MessageType, &[u8]); 2] = [
            (SYSCALL, b"audit(1700000000.123:42): arch=c000003e syscall=257 success=yes exit=3 key=\"pass]wd\""),
            (PATH, b"audit(1700000000.123:42): item=0 name=\"/etc/passwd\""),
        ];
        let mut records: Vec<Record> = lines
            .iter()
            .map(|(t, p)| crate::record::parse_payload(*t, p))
            .collect();
        for r in &mut records {
            r.node = node.map(String::from);
        }
        Stored {
            event: Event {
                id: records[0].id,
                node: node.map(String::from),
                records,
            },
            position: 1,
            open: false,
            enrichment: None,
            context: Default::default(),
        }
    }

    fn args(words: &str) -> Vec<String> {
        words.split(' ').map(String::from).collect()
    }

    #[test]
    fn a_record_is_one_rfc5424_message_with_its_structured_data() {
        let s = stored(Some("web1"));
        let mut out = String::new();
        let keys = s.event.keys();
        message(
            &mut out,
            14,
            "here",
            7,
            &s.event,
            &s.event.records[0],
            &keys,
        );
        assert_eq!(
            out,
            "<14>1 2023-11-14T22:13:20.123Z web1 raudit 7 SYSCALL [audit@32473 serial=\"42\" type=\"SYSCALL\" key=\"pass\\]wd\"] node=web1 type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=257 success=yes exit=3 key=\"pass]wd\""
        );
        out.clear();
        let s = stored(None);
        message(
            &mut out,
            14,
            "my host",
            7,
            &s.event,
            &s.event.records[1],
            &[],
        );
        assert!(out.starts_with("<14>1 2023-11-14T22:13:20.123Z myhost raudit 7 PATH [audit@32473 serial=\"42\" type=\"PATH\"] type=PATH msg="), "{out}");
    }

    #[test]
    fn args_name_the_transport_facility_and_level() {
        assert_eq!(
            parse_args(&args("tcp 127.0.0.1:514")),
            Ok((Transport::Tcp("127.0.0.1:514".into()), 14))
        );
        assert_eq!(
            parse_args(&args("unix /dev/log LOG_LOCAL6 LOG_WARNING")),
            Ok((Transport::Unix("/dev/log".into()), 22 * 8 + 4))
        );
        for bad in ["tcp", "smtp a:1", "unix dev/log", "udp h:1 LOG_NONSENSE"] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn tcp_frames_by_octet_count_and_udp_and_unix_send_datagrams() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let mut sink = Syslog::start(&args(&format!("tcp {addr}"))).unwrap();
        sink.deliver(&stored(None)).unwrap();
        drop(sink);
        let mut got = String::new();
        listener
            .accept()
            .unwrap()
            .0
            .read_to_string(&mut got)
            .unwrap();
        let (len, rest) = got.split_once(' ').unwrap();
        let first = &rest[..len.parse::<usize>().unwrap()];
        assert!(
            first.starts_with("<14>1 ") && first.contains(" SYSCALL [audit@32473"),
            "{first}"
        );
        let (len2, second) = rest[first.len()..].split_once(' ').unwrap();
        assert_eq!(
            second.len(),
            len2.parse::<usize>().unwrap(),
            "two whole frames"
        );
        assert!(second.contains(" PATH [audit@32473"), "{second}");

        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = udp.local_addr().unwrap().to_string();
        let mut sink = Syslog::start(&args(&format!("udp {to}"))).unwrap();
        sink.deliver(&stored(None)).unwrap();
        let mut buf = [0u8; 2048];
        let n = udp.recv(&mut buf).unwrap();
        assert!(std::str::from_utf8(&buf[..n])
            .unwrap()
            .contains(" SYSCALL [audit@32473"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let unix = UnixDatagram::bind(&path).unwrap();
        let mut sink = Syslog::start(&args(&format!("unix {}", path.display()))).unwrap();
        sink.deliver(&stored(None)).unwrap();
        let n = unix.recv(&mut buf).unwrap();
        assert!(std::str::from_utf8(&buf[..n])
            .unwrap()
            .starts_with("<14>1 "));
    }
}
