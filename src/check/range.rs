//! Threshold ranges in the Nagios plugin guidelines' syntax
//! (<https://nagios-plugins.org/doc/guidelines.html#THRESHOLDFORMAT>):
//!
//! | given     | alerts when the value is        |
//! |-----------|---------------------------------|
//! | `10`      | < 0 or > 10                     |
//! | `10:`     | < 10                            |
//! | `~:10`    | > 10                            |
//! | `10:20`   | < 10 or > 20                    |
//! | `@10:20`  | >= 10 and <= 20                 |
//!
//! The text is kept as given: the performance data repeats it.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid threshold {0:?}: expected a range such as 10, 10:, ~:10, 10:20 or @10:20")]
pub struct RangeError(pub String);

#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// `None`: no lower end (`~`).
    start: Option<f64>,
    /// `None`: no upper end (`10:`).
    end: Option<f64>,
    /// `@`: alert inside the range instead of outside it.
    inside: bool,
    text: String,
}

impl Range {
    /// Whether `value` should raise the alert this range stands for.
    pub fn alerts(&self, value: f64) -> bool {
        let within = self.start.is_none_or(|s| value >= s) && self.end.is_none_or(|e| value <= e);
        within == self.inside
    }
}

impl FromStr for Range {
    type Err = RangeError;

    fn from_str(text: &str) -> Result<Range, RangeError> {
        let bad = || RangeError(text.to_string());
        let (inside, body) = match text.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let number = |s: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(bad)
        };
        let (start, end) = match body.split_once(':') {
            None => (Some(0.0), Some(number(body)?)),
            Some(("~", "")) => return Err(bad()),
            Some((start, end)) => {
                let start = match start {
                    "~" => None,
                    "" => Some(0.0),
                    s => Some(number(s)?),
                };
                let end = match end {
                    "" => None,
                    e => Some(number(e)?),
                };
                (start, end)
            }
        };
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(bad());
            }
        }
        Ok(Range {
            start,
            end,
            inside,
            text: text.to_string(),
        })
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alerts(range: &str, values: &[f64]) -> Vec<bool> {
        let r: Range = range.parse().unwrap();
        values.iter().map(|v| r.alerts(*v)).collect()
    }

    #[test]
    fn each_form_of_the_guidelines_alerts_where_they_say() {
        let values = [-1.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0];
        let cases = [
            ("10", [true, false, false, false, true, true, true]),
            ("10:", [true, true, true, false, false, false, false]),
            ("~:10", [false, false, false, false, true, true, true]),
            ("10:20", [true, true, true, false, false, false, true]),
            ("@10:20", [false, false, false, true, true, true, false]),
            ("0", [true, false, true, true, true, true, true]),
        ];
        for (range, want) in cases {
            assert_eq!(alerts(range, &values), want, "{range}");
        }
    }

    #[test]
    fn fractions_and_negative_ends_are_read() {
        assert_eq!(alerts("-5:-1", &[-6.0, -3.0, 0.0]), [true, false, true]);
        assert_eq!(alerts("0.5", &[0.25, 0.75]), [false, true]);
    }

    #[test]
    fn malformed_ranges_are_refused_with_the_text() {
        for bad in ["", "x", "10:5", "~:", "@", "1:2:3", "nan", "inf"] {
            let err = bad.parse::<Range>().unwrap_err();
            assert_eq!(err, RangeError(bad.to_string()), "{bad}");
        }
    }

    #[test]
    fn the_text_is_kept_for_the_performance_data() {
        assert_eq!("@10:20".parse::<Range>().unwrap().to_string(), "@10:20");
    }
}
