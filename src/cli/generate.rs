//! `raudit generate man DIR` and `raudit generate completions DIR`: the
//! manual and the shell completions, made from the clap definitions so
//! that they cannot drift from `--help`. Packaging runs these; a test
//! checks that the copies committed in `man/` and `completions/` are
//! current (`RAUDIT_REGENERATE=1 cargo test --test packaging` rewrites them).
//!
//! What clap cannot know (a page's DESCRIPTION, its EXAMPLES, FILES and
//! SEE ALSO) is hand-written roff in `man/src/`, spliced in here.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use clap_complete::Shell;
use clap_mangen::Man;

use super::Outcome;
use crate::config::{AUDITD_ONLY, KEYS};

/// Writes the manual or the shell completions (for packaging).
#[derive(Debug, Parser)]
#[command(name = "raudit generate", bin_name = "raudit generate")]
struct GenerateArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// Man pages: raudit(8), raudit-SUBCOMMAND(8), raudit.conf(5), raudit.rules(7).
    Man { dir: PathBuf },
    /// Completion scripts for bash, zsh and fish.
    Completions { dir: PathBuf },
}

/// `args`: from the word `generate` on.
pub fn run(args: &[std::ffi::OsString]) -> anyhow::Result<Outcome> {
    let args = GenerateArgs::try_parse_from(args)?;
    let (dir, files) = match args.what {
        What::Man { dir } => (dir, man_pages()?),
        What::Completions { dir } => (dir, completions()),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Outcome::Success)
}

/// The hand-written parts of one page.
struct Handwritten {
    page: &'static str,
    /// The body of DESCRIPTION.
    description: &'static str,
    /// Whole sections after the generated ones (EXAMPLES, FILES, SEE ALSO).
    tail: &'static str,
}

macro_rules! handwritten {
    ($page:literal, $file:literal) => {
        Handwritten {
            page: $page,
            description: include_str!(concat!("../../man/src/", $file, ".description")),
            tail: include_str!(concat!("../../man/src/", $file, ".tail")),
        }
    };
}

const HANDWRITTEN: &[Handwritten] = &[
    handwritten!("raudit", "raudit.8"),
    handwritten!("raudit-daemon", "raudit-daemon.8"),
    handwritten!("raudit-ctl", "raudit-ctl.8"),
    handwritten!("raudit-search", "raudit-search.8"),
    handwritten!("raudit-report", "raudit-report.8"),
    handwritten!("raudit-import", "raudit-import.8"),
    handwritten!("raudit-check", "raudit-check.8"),
    handwritten!("raudit-fleet", "raudit-fleet.8"),
    handwritten!("raudit-fleet-init", "raudit-fleet-init.8"),
    handwritten!("raudit-export", "raudit-export.8"),
    handwritten!("raudit.conf", "raudit.conf.5"),
];

const RULES_PAGE: &str = include_str!("../../man/src/raudit.rules.7");
const MANUAL: &str = "System Administration";

/// Every page as (file name, roff).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    // `raudit help` needs no page of its own (`-h` is listed everywhere).
    let mut root = super::command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![("raudit.8".to_string(), command_page(&root, "raudit")?)];
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("raudit-{}", sub.get_name());
        pages.push((format!("{name}.8"), command_page(sub, &name)?));
        // `raudit fleet init` and the like: a page each.
        for nested in sub
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            let name = format!("{name}-{}", nested.get_name());
            pages.push((format!("{name}.8"), command_page(nested, &name)?));
        }
    }
    pages.push(("raudit.conf.5".into(), config_page()?));
    pages.push(("raudit.rules.7".into(), rules_page()));
    Ok(pages)
}

/// A command's page: clap's title, NAME, SYNOPSIS, OPTIONS and
/// SUBCOMMANDS around the hand-written sections.
fn command_page(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let man = Man::new(cmd.clone())
        .title(name.to_uppercase())
        .section("8")
        .source(source())
        .manual(MANUAL);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    match handwritten(name) {
        Some(h) => write!(out, ".SH DESCRIPTION\n{}", h.description)?,
        None => man.render_description_section(&mut out)?,
    }
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(h) = handwritten(name) {
        out.extend_from_slice(h.tail.replace("@FLEET_SQL@", &fleet_sql()).as_bytes());
    }
    Ok(out)
}

/// The statements `raudit fleet init` runs, from the code that runs them,
/// as lines of a no-fill block.
fn fleet_sql() -> String {
    crate::fleet::schema::manual_text()
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                escape(l)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn handwritten(page: &str) -> Option<&'static Handwritten> {
    HANDWRITTEN.iter().find(|h| h.page == page)
}

fn source() -> String {
    format!("raudit {}", env!("CARGO_PKG_VERSION"))
}

fn title(name: &str, section: &str) -> String {
    format!(
        ".TH {} {section} \"\" \"{}\" \"{}\"\n",
        name.to_uppercase(),
        source(),
        MANUAL
    )
}

/// raudit.conf(5): its KEYS section comes from the parser's own table.
fn config_page() -> std::io::Result<Vec<u8>> {
    let h = handwritten("raudit.conf").expect("raudit.conf is hand-written");
    let defaults = crate::config::Config::default();
    let mut out = Vec::new();
    out.extend_from_slice(title("raudit.conf", "5").as_bytes());
    out.extend_from_slice(b".SH NAME\nraudit.conf \\- raudit daemon configuration file\n");
    write!(out, ".SH DESCRIPTION\n{}", h.description)?;
    out.extend_from_slice(b".SH KEYS\n");
    for key in KEYS {
        write!(
            out,
            ".TP\n\\fB{}\\fR = \\fI{}\\fR\n{}\n",
            key.name,
            escape(key.values),
            escape(key.doc)
        )?;
        if let Some(default) = key.value(&defaults) {
            write!(out, ".RS\n.PP\nDefault: {}\n.RE\n", escape(&default))?;
        }
    }
    out.extend_from_slice(b".SH AUDITD KEYS\nauditd.conf keys that raudit refuses, and why:\n");
    for (key, why) in AUDITD_ONLY {
        write!(out, ".TP\n\\fB{key}\\fR\n{}\n", escape(why))?;
    }
    out.extend_from_slice(h.tail.as_bytes());
    Ok(out)
}

fn rules_page() -> Vec<u8> {
    let mut out = title("raudit.rules", "7").into_bytes();
    out.extend_from_slice(RULES_PAGE.as_bytes());
    out
}

/// Plain text as roff: backslashes escaped, no line taken for a request.
fn escape(text: &str) -> String {
    // `--option` keeps plain minus signs so that it can be copied.
    let text = text.replace('\\', "\\e").replace("--", "\\-\\-");
    match text.starts_with(['.', '\'']) {
        true => format!("\\&{text}"),
        false => text,
    }
}

/// Completion scripts as (file name, script): clap's, and for bash and
/// fish what clap cannot know (`raudit ctl`'s auditctl words, ausearch's
/// short names, record types, syscalls, stored keys), from the
/// hand-written `completions/src/` with raudit's tables filled in.
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [Shell::Bash, Shell::Zsh, Shell::Fish]
        .into_iter()
        .map(|shell| {
            let mut cmd = super::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "raudit", &mut script);
            let extra = match shell {
                Shell::Bash => include_str!("../../completions/src/raudit.bash"),
                Shell::Fish => include_str!("../../completions/src/raudit.fish"),
                _ => "",
            };
            script.extend_from_slice(fill_in(extra).as_bytes());
            (completion_file(shell), script)
        })
        .collect()
}

/// `-ts`/`-te` keywords (checked against the time parser in the tests).
const TIME_KEYWORDS: &[&str] = &[
    "now",
    "recent",
    "boot",
    "this-hour",
    "today",
    "yesterday",
    "this-week",
    "week-ago",
    "this-month",
    "this-year",
];

/// The `@NAME@` word lists of a hand-written completion script.
fn fill_in(template: &str) -> String {
    use crate::rules::completion;
    let types: Vec<&str> = crate::record::MessageType::all()
        .map(|(_, name)| name)
        .collect();
    let lists = [
        ("@CTL_OPTIONS@", completion::options().join(" ")),
        ("@LIST_ACTIONS@", completion::list_actions().join(" ")),
        ("@FIELDS@", completion::fields().join(" ")),
        ("@SYSCALLS@", completion::syscalls().join(" ")),
        ("@RECORD_TYPES@", types.join(" ")),
        (
            "@SEARCH_OPTIONS@",
            options_of("search", super::search_args::ALIASES),
        ),
        (
            "@REPORT_OPTIONS@",
            options_of("report", super::report::ALIASES),
        ),
        ("@TIME_KEYWORDS@", TIME_KEYWORDS.join(" ")),
    ];
    lists
        .iter()
        .fold(template.to_string(), |text, (name, words)| {
            text.replace(name, words)
        })
}

/// A subcommand's visible options, with the tool's multi-letter short
/// names (`-ts`) that the command line translates.
fn options_of(subcommand: &str, aliases: &[(&str, &str)]) -> String {
    let root = super::command();
    let sub = root
        .find_subcommand(subcommand)
        .expect("the subcommand exists");
    let mut words: Vec<String> = Vec::new();
    for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
        words.extend(arg.get_short().map(|c| format!("-{c}")));
        words.extend(arg.get_long().map(|l| format!("--{l}")));
    }
    words.extend(aliases.iter().map(|(short, _)| short.to_string()));
    words.join(" ")
}

/// The names the shells look for in their completion directories.
fn completion_file(shell: Shell) -> String {
    match shell {
        Shell::Zsh => "_raudit".into(),
        Shell::Fish => "raudit.fish".into(),
        _ => "raudit".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_time_keywords_parse() {
        use crate::search::time::{parse, Bound, Clock};
        use chrono::TimeZone;
        let now = chrono::Local
            .with_ymd_and_hms(2026, 11, 21, 13, 45, 10)
            .unwrap();
        let clock = Clock {
            now,
            boot: Some(now),
        };
        for word in TIME_KEYWORDS {
            let words = [word.to_string()];
            assert!(parse(&words, Bound::Start, &clock).is_ok(), "{word}");
        }
    }

    #[test]
    fn every_word_list_is_filled_in() {
        for script in completions() {
            let text = String::from_utf8(script.1).unwrap();
            assert!(!text.contains("@CTL_OPTIONS@") && !text.contains("@SYSCALLS@"));
        }
        let search = options_of("search", super::super::search_args::ALIASES);
        assert!(
            search.contains("-ts") && search.contains("--uid"),
            "{search}"
        );
        assert!(!search.contains("--list-keys"), "{search}");
    }
}
