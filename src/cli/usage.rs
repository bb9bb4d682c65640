//! Usage errors on one line: what is wrong (with the arguments clap lists
//! under its first line), what it suggests instead, the usage when an
//! argument is missing, and where the help is.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// `e` as one line; `help`: the command that shows the help, e.g.
/// `raudit import --help`.
pub fn one_line(e: &clap::Error, help: &str) -> String {
    let rendered = e.to_string();
    let mut lines = rendered.lines();
    let mut text = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string();
    let mut usage = None;
    let mut tips = Vec::new();
    let mut listed = Vec::new();
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip);
        } else if !line.starts_with("For more information") {
            listed.push(line);
        }
    }
    if !listed.is_empty() {
        let sep = if text.ends_with(':') { ", " } else { " " };
        text.push(' ');
        text.push_str(&listed.join(sep));
    }
    if let Some(u) = usage.filter(|_| is_missing(e.kind())) {
        text.push_str(&format!(" (usage: {u})"));
    }
    match suggestion(e) {
        Some(s) => text.push_str(&format!(" (did you mean {s}?)")),
        None => tips.iter().for_each(|t| text.push_str(&format!(" ({t})"))),
    }
    text.push_str(&format!("; see '{help}'"));
    text
}

/// Errors for want of something, where the usage line shows what.
fn is_missing(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::MissingRequiredArgument
            | ErrorKind::MissingSubcommand
            | ErrorKind::TooFewValues
            | ErrorKind::WrongNumberOfValues
    )
}

/// What clap found close to a mistyped subcommand, option or value.
fn suggestion(e: &clap::Error) -> Option<String> {
    [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .iter()
    .find_map(|k| match e.get(*k)? {
        ContextValue::String(s) => Some(format!("'{s}'")),
        ContextValue::Strings(v) if !v.is_empty() => Some(
            v.iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn error(args: &[&str]) -> String {
        let all = std::iter::once("raudit").chain(args.iter().copied());
        let e = crate::cli::Cli::try_parse_from(all).unwrap_err();
        one_line(&e, "raudit X --help")
    }

    #[test]
    fn missing_arguments_are_listed_with_the_usage() {
        assert_eq!(
            error(&["import"]),
            "the following required arguments were not provided: <FILE|DIR>... \
             (usage: raudit import <FILE|DIR>...); see 'raudit X --help'"
        );
    }

    #[test]
    fn clap_suggestions_are_offered() {
        assert_eq!(
            error(&["serch"]),
            "unrecognized subcommand 'serch' (did you mean 'search'?); see 'raudit X --help'"
        );
        assert_eq!(
            error(&["search", "--frmat", "json"]),
            "unexpected argument '--frmat' found (did you mean '--format'?); \
             see 'raudit X --help'"
        );
        assert_eq!(
            error(&["search", "--format", "jsn"]),
            "invalid value 'jsn' for '--format <FORMAT>' [possible values: default, raw, \
             interpret, json, csv, text] (did you mean 'json'?); see 'raudit X --help'"
        );
    }

    #[test]
    fn other_errors_keep_their_one_line() {
        assert_eq!(
            error(&["report", "-k", "-u"]),
            "the argument '--key' cannot be used with '--user'; see 'raudit X --help'"
        );
    }
}
