//! The rule corpus (`tests/data/ctl-corpus.rules`) through both tools:
//! loaded by raudit it lists in auditctl's words through auditctl, loaded
//! by auditctl it lists the same through raudit (`-l` and `-l -i`), and
//! `raudit ctl -d`/`-W` removes exactly the rule.

use crate::common::{self, stderr, stdout};
use crate::{auditctl, auditctl_l, ctl, delete_line, have_auditctl, success, words};

/// (line as written, line as `auditctl -l` prints it).
fn corpus() -> Vec<(&'static str, &'static str)> {
    include_str!("../data/ctl-corpus.rules")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').unwrap_or((l, l)))
        .collect()
}

#[test]
fn the_corpus_covers_every_option_field_and_operator() {
    let lines = corpus();
    assert!(lines.len() >= 200, "{} lines", lines.len());
    let text: Vec<&str> = lines.iter().map(|l| l.0).collect();
    let text = text.join("\n");
    let fields = [
        "pid",
        "uid",
        "euid",
        "suid",
        "fsuid",
        "gid",
        "egid",
        "sgid",
        "fsgid",
        "auid",
        "loginuid",
        "pers",
        "arch",
        "msgtype",
        "subj_user",
        "subj_role",
        "subj_type",
        "subj_sen",
        "subj_clr",
        "ppid",
        "obj_user",
        "obj_role",
        "obj_type",
        "obj_lev_low",
        "obj_lev_high",
        "sessionid",
        "fstype",
        "devmajor",
        "devminor",
        "inode",
        "exit",
        "success",
        "path",
        "perm",
        "dir",
        "filetype",
        "obj_uid",
        "obj_gid",
        "exe",
        "saddr_fam",
        "a0",
        "a1",
        "a2",
        "a3",
        "key",
    ];
    for field in fields {
        assert!(text.contains(&format!("-F {field}")), "no -F {field}");
    }
    for op in ["=", "!=", "<", ">", "<=", ">=", "&", "&="] {
        assert!(text.contains(&format!("-F a0{op}0x")), "no a0{op}");
    }
    for option in ["-a ", "-A ", "-w ", "-S ", "-F ", "-C ", "-k ", "-p "] {
        assert!(text.contains(option), "no {option}");
    }
    for list in ["exit", "task", "user", "exclude", "filesystem"] {
        assert!(text.contains(&format!(",{list}")), "no {list} list");
    }
}

#[test]
fn each_corpus_rule_round_trips_through_both_tools() {
    let Some(_k) = common::kernel("each_corpus_rule_round_trips_through_both_tools") else {
        return;
    };
    if !have_auditctl("each_corpus_rule_round_trips_through_both_tools") {
        return;
    }
    assert_eq!(
        auditctl_l(),
        "No rules\n",
        "the kernel must start without rules"
    );
    let mut failures = Vec::new();
    for (line, listed) in corpus() {
        if let Err(why) = round_trip(line, listed) {
            failures.push(format!("{line}\n    {why}"));
            let _ = auditctl(&["-D"]);
        }
    }
    assert!(
        failures.is_empty(),
        "{} lines failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One line: loaded by raudit, then by auditctl; deleted by raudit.
fn round_trip(line: &str, listed: &str) -> Result<(), String> {
    let expected = format!("{listed}\n");
    let out = ctl(&words(line));
    if !out.status.success() {
        return Err(format!("raudit ctl refused it: {}", stderr(&out)));
    }
    let by_auditctl = auditctl_l();
    if by_auditctl != expected {
        return Err(format!(
            "loaded by raudit, auditctl -l printed {by_auditctl:?}"
        ));
    }
    let by_raudit = stdout(&ctl(&["-l"]));
    if by_raudit != by_auditctl {
        return Err(format!("raudit ctl -l printed {by_raudit:?}"));
    }
    let interpreted = (
        stdout(&ctl(&["-l", "-i"])),
        stdout(&auditctl(&["-l", "-i"])),
    );
    if interpreted.0 != interpreted.1 {
        return Err(format!(
            "-l -i: raudit {:?}, auditctl {:?}",
            interpreted.0, interpreted.1
        ));
    }
    success(&auditctl(&["-D"]), "auditctl -D");

    let out = auditctl(&words(line));
    if !out.status.success() {
        return Err(format!("auditctl refused it: {}", stderr(&out)));
    }
    let by_raudit = stdout(&ctl(&["-l"]));
    if by_raudit != expected {
        return Err(format!(
            "loaded by auditctl, raudit ctl -l printed {by_raudit:?}"
        ));
    }
    let delete = delete_line(line);
    let out = ctl(&words(&delete));
    if !out.status.success() {
        return Err(format!("{delete}: {}", stderr(&out)));
    }
    match auditctl_l().as_str() {
        "No rules\n" => Ok(()),
        left => Err(format!("{delete} left {left:?}")),
    }
}

/// The whole corpus at once, from a rules file: `raudit ctl -R` and
/// `auditctl -R` load the same list, both tools list it the same, and
/// deleting the rules one by one with raudit removes exactly one line
/// from auditctl's listing each time.
#[test]
fn the_whole_corpus_loads_from_a_file_and_deletes_rule_by_rule() {
    let Some(k) = common::kernel("the_whole_corpus_loads_from_a_file_and_deletes_rule_by_rule")
    else {
        return;
    };
    if !have_auditctl("the_whole_corpus_loads_from_a_file_and_deletes_rule_by_rule") {
        return;
    }
    let corpus = corpus();
    let file = k.path("corpus.rules");
    let text: Vec<&str> = corpus.iter().map(|l| l.0).collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
    let file = file.to_str().unwrap();

    success(&auditctl(&["-R", file]), "auditctl -R corpus");
    let by_auditctl = auditctl_l();
    assert_eq!(by_auditctl.lines().count(), corpus.len());
    success(&auditctl(&["-D"]), "auditctl -D");

    success(&ctl(&["-R", file]), "raudit ctl -R corpus");
    assert_eq!(
        auditctl_l(),
        by_auditctl,
        "the same list, in the same order"
    );
    assert_eq!(stdout(&ctl(&["-l"])), by_auditctl);
    assert_eq!(
        stdout(&ctl(&["-l", "-i"])),
        stdout(&auditctl(&["-l", "-i"]))
    );

    let mut listing: Vec<String> = by_auditctl.lines().map(str::to_string).collect();
    for (line, listed) in &corpus {
        let delete = delete_line(line);
        success(&ctl(&words(&delete)), &delete);
        let at = listing
            .iter()
            .position(|l| l == listed)
            .unwrap_or_else(|| panic!("{listed} is not listed"));
        listing.remove(at);
        let expected = match listing.is_empty() {
            true => "No rules\n".to_string(),
            false => listing.join("\n") + "\n",
        };
        assert_eq!(auditctl_l(), expected, "after {delete}");
    }
}
