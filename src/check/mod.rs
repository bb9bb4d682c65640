//! `raudit check`: a monitoring plugin after the Nagios plugin guidelines
//! (<https://nagios-plugins.org/doc/guidelines.html>), for Nagios/NRPE,
//! Icinga and Sensu. One status line, `RAUDIT <CHECK> <STATE> - text |
//! perfdata`, and the state's exit code (0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN).
//!
//! This module is pure: the command line measures (store, kernel, file
//! system) and hands numbers here, which judge them against the `-w`/`-c`
//! ranges and write the line, so that every state is tested without a
//! kernel or a clock.

pub mod range;
pub mod state;
pub mod verdicts;

use std::fmt;

pub use range::{Range, RangeError};

/// The plugin states, in order of severity (the exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl Status {
    pub fn exit_code(self) -> u8 {
        self as u8
    }

    /// The state of a value against the thresholds: critical first, as
    /// the guidelines order them.
    pub fn judge(value: f64, thresholds: &Thresholds) -> Status {
        if thresholds
            .critical
            .as_ref()
            .is_some_and(|r| r.alerts(value))
        {
            Status::Critical
        } else if thresholds.warning.as_ref().is_some_and(|r| r.alerts(value)) {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        })
    }
}

/// `-w` and `-c`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    pub warning: Option<Range>,
    pub critical: Option<Range>,
}

/// One performance datum: `'label'=value[UOM];[warn];[crit];[min];[max]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Perf {
    pub label: &'static str,
    pub value: f64,
    /// The guidelines' units: `s`, `%`, `B`, `c` (a counter) or none.
    pub unit: &'static str,
    pub thresholds: Thresholds,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Perf {
    pub fn new(label: &'static str, value: f64, unit: &'static str) -> Perf {
        Perf {
            label,
            value,
            unit,
            thresholds: Thresholds::default(),
            min: Some(0.0),
            max: None,
        }
    }

    pub fn judged(mut self, thresholds: &Thresholds) -> Perf {
        self.thresholds = thresholds.clone();
        self
    }

    pub fn max(mut self, max: f64) -> Perf {
        self.max = Some(max);
        self
    }
}

impl fmt::Display for Perf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        let range = |r: &Option<Range>| r.as_ref().map(Range::to_string).unwrap_or_default();
        write!(
            f,
            "{}={}{};{};{};{};{}",
            self.label,
            number(self.value),
            self.unit,
            range(&self.thresholds.warning),
            range(&self.thresholds.critical),
            opt(self.min),
            opt(self.max)
        )
    }
}

/// Whole numbers without a fraction, as plugins print counters.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub text: String,
    pub perf: Vec<Perf>,
}

impl Verdict {
    pub fn new(status: Status, text: impl Into<String>) -> Verdict {
        Verdict {
            status,
            text: text.into(),
            perf: Vec::new(),
        }
    }

    /// A value judged against the thresholds, with its datum.
    pub fn measured(perf: Perf, thresholds: &Thresholds, text: impl Into<String>) -> Verdict {
        Verdict {
            status: Status::judge(perf.value, thresholds),
            text: text.into(),
            perf: vec![perf.judged(thresholds)],
        }
    }

    pub fn with(mut self, perf: Perf) -> Verdict {
        self.perf.push(perf);
        self
    }

    /// The plugin's one line (without the newline), the text on one line
    /// and free of `|`, which would start the performance data.
    pub fn line(&self, check: &str) -> String {
        let text: String = self
            .text
            .chars()
            .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
            .collect();
        let mut line = format!("RAUDIT {check} {} - {text}", self.status);
        if !self.perf.is_empty() {
            let perf: Vec<String> = self.perf.iter().map(Perf::to_string).collect();
            line.push_str(" | ");
            line.push_str(&perf.join(" "));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thresholds(w: Option<&str>, c: Option<&str>) -> Thresholds {
        Thresholds {
            warning: w.map(|r| r.parse().unwrap()),
            critical: c.map(|r| r.parse().unwrap()),
        }
    }

    #[test]
    fn critical_wins_over_warning_and_none_is_ok() {
        let t = thresholds(Some("0"), Some("10"));
        assert_eq!(Status::judge(0.0, &t), Status::Ok);
        assert_eq!(Status::judge(1.0, &t), Status::Warning);
        assert_eq!(Status::judge(11.0, &t), Status::Critical);
        assert_eq!(Status::judge(1e9, &Thresholds::default()), Status::Ok);
    }

    #[test]
    fn the_line_has_the_state_text_and_perfdata() {
        let t = thresholds(Some("0"), Some("10"));
        let v = Verdict::measured(Perf::new("events", 3.0, ""), &t, "3 events | in 5m");
        assert_eq!(
            v.line("EVENTS"),
            "RAUDIT EVENTS WARNING - 3 events   in 5m | events=3;0;10;0;"
        );
        let v = Verdict::new(Status::Unknown, "no kernel\naudit");
        assert_eq!(
            v.line("ENABLED"),
            "RAUDIT ENABLED UNKNOWN - no kernel audit"
        );
    }

    #[test]
    fn perfdata_has_units_bounds_and_fractions() {
        let p = Perf::new("backlog_used", 12.5, "%").max(100.0);
        assert_eq!(p.to_string(), "backlog_used=12.50%;;;0;100");
        let mut p = Perf::new("age", 7.0, "s");
        p.min = None;
        assert_eq!(p.to_string(), "age=7s;;;;");
    }

    #[test]
    fn exit_codes_are_the_guidelines() {
        let codes: Vec<u8> = [
            Status::Ok,
            Status::Warning,
            Status::Critical,
            Status::Unknown,
        ]
        .iter()
        .map(|s| s.exit_code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
