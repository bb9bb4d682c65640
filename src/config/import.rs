//! `raudit daemon --import-config`: an auditd.conf turned into a
//! raudit.conf. Keys that mean the same here are carried over (their
//! values checked and written as raudit writes them); every other key
//! stays in the output as a comment saying why raudit cannot take it, so
//! that nothing of the old file is dropped without a word. The output
//! always loads: a line raudit would refuse becomes such a comment.

use std::fmt::Write;
use std::path::Path;

use super::{keys, split, Config, ConfigError};

/// auditd keys whose raudit equivalent has another name or unit.
const RENAMED: &[(&str, &str)] = &[("end_of_event_timeout", "eoe_timeout_ms")];

/// Why a key is not carried over, when it is auditd's and means something
/// else here.
const DIFFERENT: &[(&str, &str)] = &[(
    "log_file",
    "auditd's text log; raudit records into an SQLite database (log_file here names \
     it; the default is /var/lib/raudit/audit.db). To keep the old events \
     searchable: raudit import",
)];

/// The raudit.conf for the auditd.conf `text` (read from `source`).
pub fn from_auditd(text: &str, source: &Path) -> String {
    let mut lines: Vec<Line> = Vec::new();
    for raw in text.lines() {
        match split(raw) {
            Ok(None) => {}
            Ok(Some((key, value))) => lines.push(convert(key, value, &lines)),
            Err(_) => lines.push(Line::NotMapped(
                raw.trim().to_string(),
                "not `key = value`".into(),
            )),
        }
    }
    lines.extend(log_size(text));
    settle(&mut lines);
    render(&lines, source)
}

/// auditd's rotation (`max_log_file` MiB per log, `num_logs` logs, and
/// `max_log_file_action = rotate`) bounds the trail at their product and
/// drops the oldest: raudit's `max_db_size` with `rotate`, which deletes
/// the oldest events. Other actions keep every log (keep_logs) or stop
/// (suspend, ...), and are left to the reader.
fn log_size(text: &str) -> Vec<Line> {
    let value = |name: &str| {
        text.lines().find_map(|l| match split(l) {
            Ok(Some((k, v))) if k.eq_ignore_ascii_case(name) => Some(v.to_string()),
            _ => None,
        })
    };
    let (Some(size), Some(logs), Some(action)) = (
        value("max_log_file").and_then(|v| v.parse::<u64>().ok()),
        value("num_logs").and_then(|v| v.parse::<u64>().ok()),
        value("max_log_file_action"),
    ) else {
        return Vec::new();
    };
    if !action.eq_ignore_ascii_case("rotate") || size == 0 || logs < 2 {
        return Vec::new();
    }
    vec![
        Line::Mapped {
            key: "max_db_size",
            value: (size * logs).to_string(),
            from: Some(format!(
                "max_log_file = {size} x num_logs = {logs}, max_log_file_action = {action}"
            )),
        },
        Line::Mapped {
            key: "max_db_size_action",
            value: "rotate".into(),
            from: None,
        },
    ]
}

/// One line of the output.
#[derive(Debug, Clone)]
enum Line {
    /// A raudit key and its value, from the auditd line `from` (when it
    /// was written differently there).
    Mapped {
        key: &'static str,
        value: String,
        from: Option<String>,
    },
    /// An auditd line raudit cannot take, and why.
    NotMapped(String, String),
}

fn convert(key: &str, value: &str, before: &[Line]) -> Line {
    let original = format!("{key} = {value}");
    let not_mapped = |why: &str| Line::NotMapped(original.clone(), why.to_string());
    if let Some((_, why)) = DIFFERENT.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
        return not_mapped(why);
    }
    let (name, value) = match RENAMED.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
        Some((_, to)) => match seconds_to_ms(value) {
            Some(ms) => (*to, ms),
            None => return not_mapped("not a whole number of seconds from 1 to 600"),
        },
        None => (key, value.to_string()),
    };
    let Some(entry) = keys::find(name) else {
        return match keys::auditd_only(key) {
            Some(why) => not_mapped(why),
            None => not_mapped("unknown key, neither auditd's nor raudit's"),
        };
    };
    let given_before = before
        .iter()
        .any(|l| matches!(l, Line::Mapped { key, .. } if *key == entry.name));
    if given_before {
        return not_mapped("given twice; the first is kept");
    }
    let mut scratch = Config::default();
    match (entry.set)(&mut scratch, &value) {
        Ok(()) => {
            let value = entry.value(&scratch).unwrap_or(value);
            let written = format!("{} = {value}", entry.name);
            Line::Mapped {
                key: entry.name,
                value,
                // auditd's upper-case keywords need no note.
                from: (!written.eq_ignore_ascii_case(&original)).then_some(original),
            }
        }
        Err(problem) => not_mapped(&problem.to_string()),
    }
}

fn seconds_to_ms(value: &str) -> Option<String> {
    let seconds: u64 = value.parse().ok()?;
    (1..=600)
        .contains(&seconds)
        .then(|| (seconds * 1000).to_string())
}

/// Turns the lines raudit would refuse together (a name without
/// name_format = user, thresholds in the wrong order) into comments, until
/// the output loads.
fn settle(lines: &mut [Line]) {
    loop {
        let text: String = lines.iter().filter_map(mapped_text).collect();
        let Err(ConfigError::Keys(errors)) = Config::parse(&text, Path::new("")) else {
            return;
        };
        let mapped: Vec<usize> = (0..lines.len())
            .filter(|&i| matches!(lines[i], Line::Mapped { .. }))
            .collect();
        for error in errors {
            let i = mapped[error.line - 1];
            if let Some(text) = mapped_text(&lines[i]) {
                lines[i] = Line::NotMapped(text.trim_end().to_string(), error.problem.to_string());
            }
        }
    }
}

fn mapped_text(line: &Line) -> Option<String> {
    match line {
        Line::Mapped { key, value, .. } => Some(format!("{key} = {value}\n")),
        Line::NotMapped(..) => None,
    }
}

fn render(lines: &[Line], source: &Path) -> String {
    let mut out = format!(
        "# raudit.conf, converted from {} by raudit daemon --import-config.\n\
         # What raudit cannot take stays as a \"# not mapped:\" comment saying why;\n\
         # see raudit.conf(5) for every key.\n",
        source.display()
    );
    for line in lines {
        let _ = match line {
            Line::Mapped {
                key,
                value,
                from: Some(from),
            } => writeln!(out, "# from: {from}\n{key} = {value}"),
            Line::Mapped { key, value, .. } => writeln!(out, "{key} = {value}"),
            Line::NotMapped(text, why) => writeln!(out, "# not mapped: {text}: {why}"),
        };
    }
    out.push_str(
        "# Rules: auditd's rules files work unchanged; copy /etc/audit/rules.d/*.rules\n\
         # into the rules_dir (default /etc/raudit/rules.d).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_text(text: &str) -> String {
        from_auditd(text, Path::new("/etc/audit/auditd.conf"))
    }

    #[test]
    fn same_keys_carry_over_and_others_say_why() {
        let out = convert_text(
            "# comment\nflush = INCREMENTAL_ASYNC\nfreq = 50\nnum_logs = 5\nlog_file = /var/log/audit/audit.log\n\
             end_of_event_timeout = 2\nfrobnicate = yes\nspace_left_action = email\nnot a pair\n",
        );
        let body: Vec<&str> = out
            .lines()
            .filter(|l| {
                !l.starts_with("# raudit.conf")
                    && !l.starts_with("# What")
                    && !l.starts_with("# see")
                    && !l.starts_with("# Rules")
                    && !l.starts_with("# into")
            })
            .collect();
        assert_eq!(
            body,
            [
                "flush = incremental_async",
                "freq = 50",
                "# not mapped: num_logs = 5: raudit keeps one database: use max_db_size (--import-config maps max_log_file x num_logs onto it)",
                "# not mapped: log_file = /var/log/audit/audit.log: auditd's text log; raudit records into an SQLite database (log_file here names it; the default is /var/lib/raudit/audit.db). To keep the old events searchable: raudit import",
                "# from: end_of_event_timeout = 2",
                "eoe_timeout_ms = 2000",
                "# not mapped: frobnicate = yes: unknown key, neither auditd's nor raudit's",
                "# not mapped: space_left_action = email: \"email\" is not supported: raudit sends no mail; use exec with a script that does",
                "# not mapped: not a pair: not `key = value`",
            ]
        );
        let config = Config::parse(&out, Path::new("out")).unwrap();
        assert_eq!(config.eoe_timeout.as_millis(), 2000);
    }

    #[test]
    fn auditd_rotation_becomes_a_size_limit() {
        let out = convert_text("max_log_file = 8\nnum_logs = 5\nmax_log_file_action = ROTATE\n");
        let config = Config::parse(&out, Path::new("out")).unwrap();
        assert_eq!(config.max_db_size, 40, "{out}");
        assert_eq!(config.max_db_size_action, crate::config::Action::Rotate);
        assert!(
            out.contains(
                "# from: max_log_file = 8 x num_logs = 5, max_log_file_action = ROTATE\n\
                 max_db_size = 40\nmax_db_size_action = rotate\n"
            ),
            "{out}"
        );
        let kept =
            convert_text("max_log_file = 8\nnum_logs = 5\nmax_log_file_action = keep_logs\n");
        assert_eq!(
            Config::parse(&kept, Path::new("out")).unwrap().max_db_size,
            0
        );
    }

    #[test]
    fn what_raudit_refuses_together_becomes_a_comment() {
        let out = convert_text("name_format = NONE\nname = box\nspace_left = 10\nadmin_space_left = 50\nflush = data\nFLUSH = sync\n");
        assert!(out.contains("\nname_format = none\n"), "{out}");
        assert!(
            out.contains(
                "# not mapped: name = box: is used only with name_format = user, not none\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("# not mapped: admin_space_left = 50: admin_space_left (50) must be below space_left (10)\n"),
            "{out}"
        );
        assert!(
            out.contains("# not mapped: FLUSH = sync: given twice; the first is kept\n"),
            "{out}"
        );
        assert!(Config::parse(&out, Path::new("out")).is_ok(), "{out}");
    }
}
