//! Output configuration: one file per output in the plugin directory
//! (`/etc/raudit/plugins.d/*.conf`), with auditd's plugin keys, so that
//! an audisp plugin's file works unchanged:
//!
//! ```text
//! active = yes
//! direction = out
//! path = /sbin/audisp-syslog
//! type = always
//! args = LOG_INFO
//! format = string
//! ```
//!
//! `type = always` runs `path` with `args` and feeds it the records on its
//! standard input, restarting it when it dies. `type = builtin` names one
//! of raudit's own outputs in `path`: `builtin_syslog` (args: `tcp
//! HOST:PORT`, `udp HOST:PORT` or `unix PATH`) and `builtin_json` (args:
//! `file PATH [MAX_MIB [ROTATIONS]]` or `unix PATH`).

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfError {
    #[error("{path}: {why}")]
    Read { path: PathBuf, why: String },
    #[error("{path}:{line}: {why}")]
    Line {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("{path}: {why}")]
    Invalid { path: PathBuf, why: String },
}

/// What a plugin program is fed: auditd's record lines ("string"); the
/// binary form of audisp's protocol is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A program, restarted when it dies.
    Program,
    /// raudit's syslog sender.
    Syslog,
    /// raudit's JSON lines writer.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputConf {
    /// The file's name without `.conf`: the output's name in messages and
    /// loss rows.
    pub name: String,
    pub kind: Kind,
    pub path: PathBuf,
    pub args: Vec<String>,
}

/// The active outputs of a plugin directory, in file name order; none
/// when the directory does not exist.
pub fn load_dir(dir: &Path) -> Result<Vec<OutputConf>, ConfError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ConfError::Read {
                path: dir.to_path_buf(),
                why: e.to_string(),
            })
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    files.sort();
    let mut outputs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| ConfError::Read {
            path: file.clone(),
            why: e.to_string(),
        })?;
        if let Some(conf) = parse(&text, &file)? {
            outputs.push(conf);
        }
    }
    Ok(outputs)
}

/// One file: `None` when it is not active.
pub fn parse(text: &str, path: &Path) -> Result<Option<OutputConf>, ConfError> {
    let mut values: Vec<(&str, &str)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |why: String| ConfError::Line {
            path: path.to_path_buf(),
            line: n + 1,
            why,
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| at(format!("{line:?} is not \"key = value\"")))?;
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(at(format!(
                "unknown key {key:?}: the keys are {}",
                KEYS.join(", ")
            )));
        }
        if values.iter().any(|(k, _)| *k == key) {
            return Err(at(format!("{key} is given twice")));
        }
        values.push((key, value.trim()));
    }
    let get = |key: &str| values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let invalid = |why: String| ConfError::Invalid {
        path: path.to_path_buf(),
        why,
    };
    match get("active") {
        Some("yes") => {}
        Some("no") | None => return Ok(None),
        Some(v) => return Err(invalid(format!("active = {v}: expected yes or no"))),
    }
    match get("direction") {
        Some("out") | None => {}
        Some(v) => return Err(invalid(format!("direction = {v}: only out is supported"))),
    }
    match get("format") {
        Some("string") | None => {}
        Some("binary") => {
            return Err(invalid(
                "format = binary is not supported: use format = string (auditd's record lines)"
                    .into(),
            ))
        }
        Some(v) => return Err(invalid(format!("format = {v}: expected string"))),
    }
    let path_value = get("path").ok_or_else(|| invalid("path is missing".into()))?;
    let kind = match (get("type"), path_value) {
        (Some("builtin"), "builtin_syslog") => Kind::Syslog,
        (Some("builtin"), "builtin_json") => Kind::Json,
        (Some("builtin"), other) => {
            return Err(invalid(format!(
                "builtin output {other:?} does not exist: the builtins are builtin_syslog and builtin_json"
            )))
        }
        (Some("always") | None, p) if p.starts_with('/') => Kind::Program,
        (Some("always") | None, p) => {
            return Err(invalid(format!("path = {p}: give the program's absolute path")))
        }
        (Some(t), _) => return Err(invalid(format!("type = {t}: expected always or builtin"))),
    };
    let name = path
        .file_stem()
        .map_or_else(|| "output".into(), |s| s.to_string_lossy().into_owned());
    Ok(Some(OutputConf {
        name,
        kind,
        path: PathBuf::from(path_value),
        args: get("args")
            .map(|a| a.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
    }))
}

const KEYS: &[&str] = &["active", "direction", "path", "type", "args", "format"];

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Result<Option<OutputConf>, ConfError> {
        parse(text, Path::new("/etc/raudit/plugins.d/x.conf"))
    }

    #[test]
    fn debians_audisp_syslog_file_reads_as_it_is() {
        // /etc/audit/plugins.d/syslog.conf as audispd-plugins ships it,
        // made active (note the blank after "always").
        let text = "# comment\nactive = yes\ndirection = out\npath = /sbin/audisp-syslog\ntype = always \nargs = LOG_INFO\nformat = string\n";
        assert_eq!(
            conf(text).unwrap(),
            Some(OutputConf {
                name: "x".into(),
                kind: Kind::Program,
                path: "/sbin/audisp-syslog".into(),
                args: vec!["LOG_INFO".into()],
            })
        );
        assert_eq!(conf(&text.replace("yes", "no")).unwrap(), None);
    }

    #[test]
    fn builtins_are_named_by_path() {
        let c =
            conf("active = yes\ntype = builtin\npath = builtin_syslog\nargs = tcp 127.0.0.1:514\n")
                .unwrap()
                .unwrap();
        assert_eq!((c.kind, c.args.len()), (Kind::Syslog, 2));
        let c = conf(
            "active = yes\ntype = builtin\npath = builtin_json\nargs = file /var/log/e.json\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.kind, Kind::Json);
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_with_the_place() {
        for (text, says) in [
            (
                "active = yes\npath = /bin/cat\ncolour = red\n",
                "x.conf:3: unknown key \"colour\"",
            ),
            (
                "active = yes\nactive = yes\n",
                "x.conf:2: active is given twice",
            ),
            ("active = yes\nnonsense\n", "x.conf:2: \"nonsense\" is not"),
            ("active = maybe\npath = /bin/cat\n", "active = maybe"),
            (
                "active = yes\npath = /bin/cat\nformat = binary\n",
                "format = binary is not supported",
            ),
            (
                "active = yes\npath = /bin/cat\ndirection = in\n",
                "only out",
            ),
            ("active = yes\npath = cat\n", "absolute path"),
            (
                "active = yes\ntype = builtin\npath = builtin_af_unix\n",
                "builtin_syslog and builtin_json",
            ),
            ("active = yes\n", "path is missing"),
        ] {
            let err = conf(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
