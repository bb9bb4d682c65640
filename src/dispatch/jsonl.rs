//! raudit's JSON lines output (`path = builtin_json`): each event as one
//! line of the JSON output's schema (`raudit search --format json`, see
//! raudit-search(8)), for shippers (Vector, Fluent Bit, Filebeat, the
//! OpenTelemetry collector). `args`: `file PATH [MAX_MIB [ROTATIONS]]`,
//! a file (created 0600) rotated to PATH.1, PATH.2, ... once it reaches
//! MAX_MIB (default 100; 0: never), keeping ROTATIONS of them (default 5);
//! or `unix PATH`, a listening unix stream socket it connects to.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use super::output::Sink;
use crate::output::json;
use crate::store::query::Stored;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    File {
        path: PathBuf,
        /// Bytes before rotating; 0: never.
        max_bytes: u64,
        keep: u32,
    },
    Unix(PathBuf),
}

enum Out {
    File { w: BufWriter<File>, size: u64 },
    Unix(BufWriter<UnixStream>),
}

pub struct JsonLines {
    target: Target,
    out: Option<Out>,
    line: Vec<u8>,
}

pub fn parse_args(args: &[String]) -> Result<Target, String> {
    let usage = "args: file PATH [MAX_MIB [ROTATIONS]] or unix PATH, with an absolute PATH";
    let number = |v: Option<&String>, default: u64| match v {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| format!("{v:?} is not a number; {usage}")),
    };
    match args {
        [kind, path, rest @ ..] if path.starts_with('/') => match (kind.as_str(), rest.len()) {
            ("file", 0..=2) => Ok(Target::File {
                path: PathBuf::from(path),
                max_bytes: number(rest.first(), 100)?.saturating_mul(1 << 20),
                keep: u32::try_from(number(rest.get(1), 5)?).map_err(|e| e.to_string())?,
            }),
            ("unix", 0) => Ok(Target::Unix(PathBuf::from(path))),
            _ => Err(usage.into()),
        },
        _ => Err(usage.into()),
    }
}

impl JsonLines {
    pub fn start(args: &[String]) -> io::Result<JsonLines> {
        let target = parse_args(args).map_err(io::Error::other)?;
        Ok(JsonLines::to(target))
    }

    fn to(target: Target) -> JsonLines {
        let mut j = JsonLines {
            target,
            out: None,
            line: Vec::new(),
        };
        // A socket not listening yet is tried again at the first event.
        if let Err(e) = j.reopen() {
            eprintln!("raudit daemon: json output: {e}; trying again at the first event");
        }
        j
    }

    /// PATH.N-1 to PATH.N, ..., PATH to PATH.1; the oldest beyond `keep`
    /// is overwritten.
    fn rotate(path: &Path, keep: u32) -> io::Result<()> {
        let numbered = |n: u32| {
            let mut p = path.as_os_str().to_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        if keep == 0 {
            return std::fs::remove_file(path);
        }
        for n in (1..keep).rev() {
            match std::fs::rename(numbered(n), numbered(n + 1)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        std::fs::rename(path, numbered(1))
    }
}

impl Sink for JsonLines {
    fn deliver(&mut self, stored: &Stored) -> io::Result<()> {
        self.line.clear();
        json::print(
            &mut self.line,
            &stored.event,
            None,
            !stored.open,
            &stored.context,
        )?;
        match self.out.as_mut() {
            Some(Out::File { w, size }) => {
                w.write_all(&self.line)?;
                w.flush()?;
                *size += self.line.len() as u64;
            }
            Some(Out::Unix(w)) => {
                w.write_all(&self.line)?;
                w.flush()?;
            }
            None => return Err(io::Error::other("not open")),
        }
        if let (
            Target::File {
                path,
                max_bytes,
                keep,
            },
            Some(Out::File { size, .. }),
        ) = (&self.target, &self.out)
        {
            if *max_bytes > 0 && *size >= *max_bytes {
                let (path, keep) = (path.clone(), *keep);
                self.out = None;
                JsonLines::rotate(&path, keep)?;
                self.reopen()?;
            }
        }
        Ok(())
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.out = None;
        let context =
            |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
        self.out = Some(match &self.target {
            Target::File { path, .. } => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| context(e, path))?;
                let size = file.metadata().map_err(|e| context(e, path))?.len();
                Out::File {
                    w: BufWriter::new(file),
                    size,
                }
            }
            Target::Unix(path) => Out::Unix(BufWriter::new(
                UnixStream::connect(path).map_err(|e| context(e, path))?,
            )),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};

    fn stored(serial: u64) -> Stored {
        let payload = format!("audit(1700000000.123:{serial}): arch=c000003e syscall=257 success=yes exit=3 key=\"k\"");
        let record =
            crate::record::parse_payload(crate::record::types::SYSCALL, payload.as_bytes());
        Stored {
            event: crate::event::Event {
                id: record.id,
                node: None,
                records: vec![record],
            },
            position: serial as i64,
            open: false,
            enrichment: None,
            context: Default::default(),
        }
    }

    fn args(words: &str) -> Vec<String> {
        words.split(' ').map(String::from).collect()
    }

    #[test]
    fn args_name_a_file_with_its_rotation_or_a_socket() {
        assert_eq!(
            parse_args(&args("file /var/log/e.json 10 3")),
            Ok(Target::File {
                path: "/var/log/e.json".into(),
                max_bytes: 10 << 20,
                keep: 3
            })
        );
        assert_eq!(
            parse_args(&args("unix /run/e.sock")),
            Ok(Target::Unix("/run/e.sock".into()))
        );
        for bad in ["file e.json", "file /e x", "unix /a 1", "tcp /a", "file"] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_gets_one_schema_line_per_event_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.json");
        let mut sink = JsonLines::to(Target::File {
            path: path.clone(),
            max_bytes: 1500,
            keep: 2,
        });
        for serial in 1..=20 {
            sink.deliver(&stored(serial)).unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["events.json", "events.json.1", "events.json.2"]);
        let mut serials = Vec::new();
        for name in names.iter().rev() {
            for line in std::fs::read_to_string(dir.path().join(name))
                .unwrap()
                .lines()
            {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(
                    (v["schema"].as_u64(), v["complete"].as_bool()),
                    (Some(1), Some(true))
                );
                serials.push(v["serial"].as_u64().unwrap());
            }
        }
        assert!(
            serials.windows(2).all(|w| w[1] == w[0] + 1),
            "in order, none twice: {serials:?}"
        );
        assert_eq!(serials.last(), Some(&20));
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn a_unix_socket_gets_lines_and_is_reconnected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let mut sink = JsonLines::to(Target::Unix(path.clone()));
        sink.deliver(&stored(7)).unwrap();
        let (conn, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&conn).read_line(&mut line).unwrap();
        assert!(
            line.starts_with("{\"schema\":1,") && line.contains("\"serial\":7"),
            "{line}"
        );
        drop(conn);
        // The reader went away: delivery fails until reopened.
        let mut failed = false;
        for _ in 0..10 {
            if sink.deliver(&stored(8)).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a closed socket is noticed");
        sink.reopen().unwrap();
        sink.deliver(&stored(9)).unwrap();
        let (conn, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&conn).read_line(&mut line).unwrap();
        assert!(line.contains("\"serial\":9"), "{line}");
    }
}
