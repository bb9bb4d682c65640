//! raudit.conf: every key with good and bad values, the file's form, the
//! checks across keys, the ownership check, and `raudit daemon
//! --check-config` (also through the `auditd` name).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use raudit::config::{
    check_permissions, Action, Config, ConfigError, Durability, Flush, Insecure, KeyError,
    NameFormat, Problem, Space, Synchronous, KEYS,
};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/raudit/raudit.conf"))
}

fn with(line: &str) -> Config {
    parse(line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

/// The error of a one-line file, checked to name file, line and key.
fn problem(line: &str) -> Problem {
    match parse(line) {
        Ok(c) => panic!("{line:?} was accepted: {c:?}"),
        Err(ConfigError::Keys(errors)) => {
            assert_eq!(errors.len(), 1, "{line:?}: {errors:?}");
            let KeyError {
                line: n,
                key,
                problem,
                ..
            } = errors.into_iter().next().unwrap();
            let written = line.split('=').next().unwrap().trim();
            assert_eq!((n, key.as_str()), (1, written), "{line:?}");
            problem
        }
        Err(e) => panic!("{line:?}: unexpected {e}"),
    }
}

fn bad_value(line: &str) {
    assert!(
        matches!(
            problem(line),
            Problem::BadValue { .. } | Problem::Unsupported { .. }
        ),
        "{line:?}"
    );
}

#[test]
fn empty_file_is_the_defaults() {
    assert_eq!(with(""), Config::default());
    assert_eq!(
        with("# only a comment\n\n   \n  # indented comment\n"),
        Config::default()
    );
}

#[test]
fn error_is_one_line_naming_file_line_and_key() {
    let e = parse("# comment\n\nflush = fast\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/raudit/raudit.conf:3: key \"flush\": \"fast\" is not one of none, incremental, incremental_async, data, sync"
    );
}

/// An auditd.conf carried over took one run per refused key: now one run
/// names them all, each on its line, cross-key clashes included.
#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let e = parse(
        "num_logs = 5\nflush = fast\nflush = data\nfreq = 0\nflush_it\nname = box\ncolour = red\n",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/raudit/raudit.conf:1: key \"num_logs\": auditd's key has no use in raudit: raudit keeps one database: use max_db_size (--import-config maps max_log_file x num_logs onto it)\n\
         /etc/raudit/raudit.conf:2: key \"flush\": \"fast\" is not one of none, incremental, incremental_async, data, sync\n\
         /etc/raudit/raudit.conf:3: key \"flush\": given twice (first on line 2)\n\
         /etc/raudit/raudit.conf:5: key \"flush_it\": no '=' (lines are `key = value`)\n\
         /etc/raudit/raudit.conf:6: key \"name\": is used only with name_format = user, not none\n\
         /etc/raudit/raudit.conf:7: key \"colour\": unknown key"
    );
    assert!(e.has_auditd_keys());
    // freq = 0 clashes with flush only when flush was read: here it was
    // refused, so line 4 is not blamed for a clash with a default.
    let e = parse("flush = incremental\nfreq = 0\nname = box\n").unwrap_err();
    assert_eq!(e.to_string().lines().count(), 2, "{e}");
}

#[test]
fn log_file() {
    assert_eq!(
        with("log_file = /srv/audit/a.db").db,
        PathBuf::from("/srv/audit/a.db")
    );
    bad_value("log_file = audit.db");
    bad_value("log_file = /var/lib/raudit/");
}

#[test]
fn flush_levels_and_their_sqlite_mapping() {
    let cases = [
        ("none", Flush::None, Synchronous::Off, None, false),
        (
            "incremental",
            Flush::Incremental,
            Synchronous::Normal,
            Some(50),
            false,
        ),
        (
            "INCREMENTAL_ASYNC",
            Flush::IncrementalAsync,
            Synchronous::Normal,
            Some(50),
            true,
        ),
        ("data", Flush::Data, Synchronous::Full, None, false),
        ("Sync", Flush::Sync, Synchronous::Extra, None, false),
    ];
    for (text, flush, synchronous, sync_every, background) in cases {
        let c = with(&format!("flush = {text}"));
        assert_eq!(c.flush, flush);
        let want = Durability {
            synchronous,
            sync_every,
            background,
        };
        assert_eq!(c.durability(), want, "{text}");
    }
    bad_value("flush = fast");
    bad_value("flush = incremental async");
}

#[test]
fn freq() {
    assert_eq!(with("freq = 1").freq, 1);
    assert_eq!(
        with("flush = incremental\nfreq = 200")
            .durability()
            .sync_every,
        Some(200)
    );
    // As in auditd, freq means nothing to the other levels, even 0.
    assert_eq!(with("flush = data\nfreq = 0").freq, 0);
    bad_value("freq = -1");
    bad_value("freq = 10001");
    bad_value("freq = many");
}

#[test]
fn freq_zero_with_incremental_flush_blames_the_later_line() {
    let e = parse("freq = 0\nflush = incremental\n").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/etc/raudit/raudit.conf:2: key \"flush\": must be at least 1"),
        "{e}"
    );
    // The default flush is incremental_async.
    let e = parse("freq = 0\n").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/etc/raudit/raudit.conf:1: key \"freq\": must be at least 1"),
        "{e}"
    );
}

#[test]
fn space_thresholds() {
    let c = with("space_left = 500\nadmin_space_left = 100");
    assert_eq!(
        (c.space_left, c.admin_space_left),
        (Space::MiB(500), Space::MiB(100))
    );
    let c = with("space_left = 25%\nadmin_space_left = 5%");
    assert_eq!(
        (c.space_left, c.admin_space_left),
        (Space::Percent(25), Space::Percent(5))
    );
    assert_eq!(Space::Percent(25).bytes(2000 << 20), 500 << 20);
    assert_eq!(Space::MiB(3).bytes(0), 3 << 20);
    // Mixed units are compared against the real file system, later.
    with("space_left = 10%\nadmin_space_left = 5000");
    for bad in ["0%", "100%", "-5", "5 MB", "1.5", "%"] {
        bad_value(&format!("space_left = {bad}"));
        bad_value(&format!("admin_space_left = {bad}"));
    }
}

#[test]
fn admin_space_left_must_be_below_space_left() {
    let e = parse("admin_space_left = 80\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/raudit/raudit.conf:1: key \"admin_space_left\": admin_space_left (80) must be below space_left (75)"
    );
    let e = parse("admin_space_left = 5%\nspace_left = 5%\n").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/etc/raudit/raudit.conf:2: key \"space_left\""),
        "{e}"
    );
}

#[test]
fn disk_actions() {
    for key in [
        "space_left_action",
        "admin_space_left_action",
        "disk_full_action",
        "disk_error_action",
    ] {
        let get = |c: &Config| match key {
            "space_left_action" => c.space_left_action.clone(),
            "admin_space_left_action" => c.admin_space_left_action.clone(),
            "disk_full_action" => c.disk_full_action.clone(),
            _ => c.disk_error_action.clone(),
        };
        let cases = [
            ("ignore", Action::Ignore),
            ("SYSLOG", Action::Syslog),
            ("suspend", Action::Suspend),
            ("single", Action::Single),
            ("halt", Action::Halt),
            (
                "exec /usr/local/sbin/alert",
                Action::Exec("/usr/local/sbin/alert".into()),
            ),
            ("EXEC /bin/Alert", Action::Exec("/bin/Alert".into())),
            ("Rotate", Action::Rotate),
        ];
        for (text, want) in cases {
            assert_eq!(
                get(&with(&format!("{key} = {text}"))),
                want,
                "{key} = {text}"
            );
        }
        for bad in [
            "keep_logs",
            "email",
            "exec",
            "exec alert",
            "exec /bin/a -x",
            "panic",
            "halt now",
        ] {
            bad_value(&format!("{key} = {bad}"));
        }
    }
}

#[test]
fn refused_actions_say_why() {
    let why = problem("disk_full_action = keep_logs").to_string();
    assert!(why.contains("keeps one database; use rotate"), "{why}");
    let why = problem("space_left_action = email").to_string();
    assert!(why.contains("sends no mail"), "{why}");
}

#[test]
fn max_db_size_and_action() {
    assert_eq!(with("max_db_size = 1024").max_db_size, 1024);
    assert_eq!(with("max_db_size = 0").max_db_size, 0);
    bad_value("max_db_size = 1G");
    bad_value("max_db_size = -1");
    assert_eq!(
        with("max_db_size_action = suspend").max_db_size_action,
        Action::Suspend
    );
    assert_eq!(
        with("max_db_size_action = ignore").max_db_size_action,
        Action::Ignore
    );
    assert_eq!(
        with("max_db_size_action = exec /usr/local/sbin/archive").max_db_size_action,
        Action::Exec("/usr/local/sbin/archive".into())
    );
    assert_eq!(
        with("max_db_size_action = rotate").max_db_size_action,
        Action::Rotate
    );
    for bad in ["halt", "single", "keep_logs", "truncate"] {
        bad_value(&format!("max_db_size_action = {bad}"));
    }
}

#[test]
fn node_name() {
    for (text, want) in [
        ("none", NameFormat::None),
        ("hostname", NameFormat::Hostname),
        ("FQD", NameFormat::Fqd),
        ("numeric", NameFormat::Numeric),
    ] {
        assert_eq!(with(&format!("name_format = {text}")).name_format, want);
    }
    let c = with("name_format = user\nname = web-01");
    assert_eq!(
        (c.name_format, c.name.as_deref()),
        (NameFormat::User, Some("web-01"))
    );
    assert_eq!(c.node_name().unwrap().as_deref(), Some("web-01"));
    assert_eq!(with("").node_name().unwrap(), None);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let c = with("name_format = hostname");
    assert_eq!(c.node_name().unwrap().as_deref(), Some(host.trim()));
    bad_value("name_format = ip");
    bad_value("name = two words");
}

#[test]
fn name_and_name_format_must_agree() {
    let e = parse("name_format = user\n").unwrap_err();
    assert!(
        e.to_string()
            .contains(":1: key \"name_format\": user needs a name"),
        "{e}"
    );
    let e = parse("name = web-01\n").unwrap_err();
    assert!(
        e.to_string()
            .contains(":1: key \"name\": is used only with name_format = user"),
        "{e}"
    );
}

#[test]
fn rules_dir() {
    assert_eq!(
        with("rules_dir = /srv/rules").rules_dir,
        PathBuf::from("/srv/rules")
    );
    bad_value("rules_dir = rules.d");
}

#[test]
fn eoe_timeout_ms() {
    assert_eq!(
        with("eoe_timeout_ms = 250").eoe_timeout,
        Duration::from_millis(250)
    );
    bad_value("eoe_timeout_ms = 0");
    bad_value("eoe_timeout_ms = 600001");
    bad_value("eoe_timeout_ms = 1s");
}

#[test]
fn event_bounds() {
    let c = with("max_open_events = 100\nmax_event_records = 5000\n");
    assert_eq!((c.max_open_events, c.max_event_records), (100, 5000));
    let d = Config::default();
    assert_eq!((d.max_open_events, d.max_event_records), (8192, 2048));
    for key in ["max_open_events", "max_event_records"] {
        bad_value(&format!("{key} = 15"));
        bad_value(&format!("{key} = 1000001"));
        bad_value(&format!("{key} = lots"));
    }
}

#[test]
fn wal_bound() {
    assert_eq!(with("max_wal_size = 8\n").max_wal_size, 8);
    assert_eq!(Config::default().max_wal_size, 64);
    bad_value("max_wal_size = 0");
    bad_value("max_wal_size = 4097");
    bad_value("max_wal_size = 64M");
}

#[test]
fn outputs() {
    let d = Config::default();
    assert_eq!(
        (d.plugin_dir.to_str(), d.q_depth, d.max_restarts),
        (Some("/etc/raudit/plugins.d"), 2000, 10)
    );
    let c = with("plugin_dir = /srv/plugins.d\nq_depth = 5\nmax_restarts = 0\n");
    assert_eq!(
        (c.plugin_dir.to_str(), c.q_depth, c.max_restarts),
        (Some("/srv/plugins.d"), 5, 0)
    );
    bad_value("plugin_dir = plugins.d");
    bad_value("q_depth = 0");
    bad_value("q_depth = 1000001");
    bad_value("max_restarts = 10001");
    // auditd's dispatcher keys that raudit answers differently.
    let why = problem("disp_qos = lossless").to_string();
    assert!(why.contains("q_depth"), "{why}");
}

#[test]
fn every_key_is_tested_here() {
    // A key added to the table without a test above fails this list.
    let tested = [
        "log_file",
        "flush",
        "freq",
        "space_left",
        "space_left_action",
        "admin_space_left",
        "admin_space_left_action",
        "disk_full_action",
        "disk_error_action",
        "max_db_size",
        "max_db_size_action",
        "name_format",
        "name",
        "rules_dir",
        "eoe_timeout_ms",
        "max_open_events",
        "max_event_records",
        "max_wal_size",
        "plugin_dir",
        "q_depth",
        "max_restarts",
        "max_age",
        "chain_key",
    ];
    let keys: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
    assert_eq!(keys, tested);
}

#[test]
fn unknown_keys_and_malformed_lines() {
    assert_eq!(problem("flsuh = data"), Problem::UnknownKey);
    assert_eq!(problem("flush"), Problem::NoEquals);
    assert_eq!(problem("flush ="), Problem::Empty);
    assert_eq!(problem(" = data"), Problem::UnknownKey);
    // Only whole lines are comments, as in auditd.
    bad_value("flush = data # the safest");
}

#[test]
fn auditd_keys_that_do_not_apply_are_refused_with_the_reason() {
    for line in [
        "num_logs = 5",
        "max_log_file = 8",
        "tcp_listen_port = 60",
        "log_format = ENRICHED",
    ] {
        assert!(matches!(problem(line), Problem::AuditdOnly(_)), "{line}");
    }
    let why = problem("max_log_file_action = rotate").to_string();
    assert!(why.contains("max_db_size_action"), "{why}");
}

#[test]
fn keys_are_case_insensitive_and_blanks_optional() {
    let c = with("FLUSH=data\n\tName_Format =hostname  \n");
    assert_eq!(
        (c.flush, c.name_format),
        (Flush::Data, NameFormat::Hostname)
    );
}

#[test]
fn a_key_given_twice_is_an_error() {
    let e = parse("flush = data\n\nFlush = sync\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/raudit/raudit.conf:3: key \"Flush\": given twice (first on line 1)"
    );
}

#[test]
fn printed_settings_load_back() {
    let text = "log_file = /srv/a.db\nflush = incremental\nfreq = 7\nspace_left = 20%\n\
                space_left_action = exec /usr/local/sbin/low\nadmin_space_left = 4%\n\
                admin_space_left_action = single\ndisk_full_action = halt\ndisk_error_action = ignore\n\
                max_db_size = 4096\nmax_db_size_action = suspend\nname_format = user\nname = box\n\
                rules_dir = /srv/rules.d\neoe_timeout_ms = 3000\nmax_open_events = 512\n\
                max_event_records = 4096\nmax_wal_size = 16\nplugin_dir = /srv/plugins.d\n\
                q_depth = 64\nmax_restarts = 3\nmax_age = 90\nchain_key = /srv/chain.key\n";
    let c = with(text);
    assert_eq!(c.to_string(), text);
    assert_eq!(with(&c.to_string()), c);
    assert_eq!(with(&Config::default().to_string()), Config::default());
}

fn temp_conf(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raudit.conf");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    (dir, path)
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn insecure(path: &Path) -> Option<Insecure> {
    match check_permissions(path) {
        Ok(()) => None,
        Err(ConfigError::Insecure { why, .. }) => Some(why),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_file_must_be_roots_and_not_world_writable() {
    let (dir, path) = temp_conf("flush = data\n", 0o640);
    if is_root() {
        assert_eq!(insecure(&path), None);
        assert_eq!(Config::load(&path).unwrap().flush, Flush::Data);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(insecure(&path), Some(Insecure::WorldWritable(0o666)));
        let e = Config::load(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: world-writable (mode 0666); chmod o-w it",
                path.display()
            )
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
    }
    // Not root's (as a user, every file of ours is not).
    assert!(matches!(insecure(&path), Some(Insecure::NotRootOwned(_))));
    assert!(matches!(
        Config::load(&path),
        Err(ConfigError::Insecure { .. })
    ));
    assert_eq!(insecure(dir.path()), Some(Insecure::NotRegular));
}

#[test]
fn a_missing_file_is_reported_as_missing() {
    let e = Config::load(Path::new("/nonexistent/raudit.conf")).unwrap_err();
    assert!(e.is_missing(), "{e}");
    assert_eq!(
        e.to_string(),
        "/nonexistent/raudit.conf: No such file or directory (os error 2)"
    );
}

fn run(bin: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin).args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn check_config_prints_the_settings_or_the_error() {
    if !is_root() {
        eprintln!("skipping check_config_prints_the_settings_or_the_error: not root (the file must be root's)");
        return;
    }
    let (dir, path) = temp_conf("", 0o600);
    let d = dir.path().to_str().unwrap();
    std::fs::write(&path, format!("flush = sync\nrules_dir = {d}\n")).unwrap();
    let p = path.to_str().unwrap();
    let db = format!("{d}/db/x.db");
    let (code, out, err) = run(
        Path::new(BIN),
        &["daemon", "--check-config", "--config", p, "--db", &db],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.contains("flush = sync\n") && out.contains(&format!("log_file = {db}\n")),
        "{out}"
    );

    // Invoked as auditd: -f and -n accepted, -c names the directory.
    let auditd = dir.path().join("auditd");
    std::os::unix::fs::symlink(BIN, &auditd).unwrap();
    let (code, out2, _) = run(
        &auditd,
        &["-f", "-n", "-c", d, "--check-config", "--db", &db],
    );
    assert_eq!((code, out2), (0, out));

    std::fs::write(&path, "flush = sync\nfreq = often\n").unwrap();
    let (code, out, err) = run(Path::new(BIN), &["daemon", "--check-config", "--config", p]);
    assert_eq!((code, out.as_str()), (1, ""));
    let want =
        format!("raudit: {p}:2: key \"freq\": \"often\" is not a whole number from 0 to 10000\n");
    assert_eq!(err, want);
}

/// What the file may say and the machine cannot do: a missing rules
/// directory, an exec script that is missing, not executable or not
/// root's, a database in a directory that cannot be written. Each is one
/// line on stderr and --check-config exits 1; the settings still print.
#[test]
fn check_config_names_what_the_machine_cannot_do() {
    if !is_root() {
        eprintln!("skipping check_config_names_what_the_machine_cannot_do: not root (the file must be root's)");
        return;
    }
    let (dir, path) = temp_conf("", 0o600);
    let d = dir.path().to_str().unwrap();
    let script = |name: &str, mode: u32, uid: u32| {
        let path = dir.path().join(name);
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        std::os::unix::fs::chown(&path, Some(uid), None).unwrap();
    };
    script("plain", 0o644, 0);
    script("theirs", 0o755, 65534);
    script("good", 0o750, 0);
    std::fs::write(
        &path,
        format!(
            "log_file = {d}/db/a.db\nspace_left_action = exec {d}/missing\n\
             admin_space_left_action = exec {d}/plain\ndisk_full_action = exec {d}/theirs\n\
             disk_error_action = exec {d}/good\nrules_dir = {d}/rules.d\n"
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let (code, out, err) = run(Path::new(BIN), &["daemon", "--check-config", "--config", p]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains(&format!("rules_dir = {d}/rules.d\n")), "{out}");
    assert_eq!(
        err,
        format!(
            "raudit: {p}: space_left_action = exec {d}/missing: {d}/missing: No such file or directory (os error 2)\n\
             raudit: {p}: admin_space_left_action = exec {d}/plain: {d}/plain: not executable; chmod u+x it\n\
             raudit: {p}: disk_full_action = exec {d}/theirs: {d}/theirs: owned by uid 65534, not root, yet run as root; chown root it\n\
             raudit: {p}: rules_dir = {d}/rules.d: no such directory; the daemon would load no rules (create it and put *.rules files in it)\n"
        )
    );
    // --observe loads no rules: the directory does not matter then.
    let (_, _, err) = run(
        Path::new(BIN),
        &["daemon", "--check-config", "--observe", "--config", p],
    );
    assert!(!err.contains("rules_dir"), "{err}");
}

/// A database directory on a read-only mount (root writes through any
/// permission bits, so a private read-only bind mount shows it).
#[test]
fn check_config_names_a_read_only_database_directory() {
    if !is_root() {
        eprintln!("skipping check_config_names_a_read_only_database_directory: not root");
        return;
    }
    let (dir, path) = temp_conf("", 0o600);
    let d = dir.path().to_str().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::write(&path, format!("log_file = {d}/ro/a.db\nrules_dir = {d}\n")).unwrap();
    let script = format!(
        "mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && exec {BIN} daemon --check-config --config {p}",
        ro = ro.display(),
        p = path.display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err,
        format!(
            "raudit: {}: log_file = {d}/ro/a.db: its directory {d}/ro is not writable: read-only file system\n",
            path.display()
        )
    );
}

#[test]
fn an_explicit_config_must_exist() {
    let (code, _, err) = run(
        Path::new(BIN),
        &[
            "daemon",
            "--check-config",
            "--config",
            "/nonexistent/r.conf",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/r.conf: No such file"), "{err}");
}

#[test]
fn the_shipped_file_states_the_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("debian/raudit.conf");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(Config::parse(&text, &path).unwrap(), Config::default());
    // and mentions every key, so that the file documents them all
    for key in KEYS
        .iter()
        .filter(|k| k.name != "name" && k.name != "chain_key")
    {
        assert!(
            text.contains(&format!("\n{} = ", key.name)),
            "{} is missing",
            key.name
        );
    }
}

/// `--import-config FILE`: the raudit.conf for an auditd.conf, on stdout.
fn import_config(path: &Path) -> String {
    let (code, out, err) = run(
        Path::new(BIN),
        &["daemon", "--import-config", path.to_str().unwrap()],
    );
    assert_eq!((code, err.as_str()), (0, ""), "{}", path.display());
    out
}

/// The line of the output that accounts for the input line `key = value`:
/// the key carried over, or a "# not mapped:" comment.
fn accounted(out: &str, key: &str, value: &str) -> usize {
    let original = format!("{key} = {value}");
    out.lines()
        .filter(|l| {
            l.eq_ignore_ascii_case(&original)
                || l.starts_with(&format!("# not mapped: {original}:"))
                || *l == format!("# from: {original}")
        })
        .count()
}

/// Debian's own /etc/audit/auditd.conf (from the auditd package, the test
/// oracle that CI installs) converts into a file that loads, with every
/// one of its keys carried over or commented with the reason.
#[test]
fn import_config_converts_debians_auditd_conf() {
    let real = Path::new("/etc/audit/auditd.conf");
    if !real.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "/etc/audit/auditd.conf (Debian's auditd package) is needed in CI"
        );
        eprintln!("skipping import_config_converts_debians_auditd_conf: no /etc/audit/auditd.conf");
        return;
    }
    let out = import_config(real);
    let config =
        Config::parse(&out, Path::new("converted")).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let text = std::fs::read_to_string(real).unwrap();
    let mut keys = 0;
    for line in text.lines().map(str::trim) {
        let Some((key, value)) = line.split_once('=').filter(|_| !line.starts_with('#')) else {
            continue;
        };
        keys += 1;
        let (key, value) = (key.trim(), value.trim());
        assert_eq!(accounted(&out, key, value), 1, "{line}:\n{out}");
    }
    assert!(keys > 20, "{keys} keys in {}", real.display());
    // The settings auditd and raudit share keep their values.
    for (key, value) in text.lines().filter_map(|l| l.split_once('=')) {
        let (key, value) = (key.trim(), value.trim().to_ascii_lowercase());
        if key == "flush" {
            assert_eq!(config.flush.to_string(), value);
        }
        if key == "space_left" {
            assert_eq!(config.space_left.to_string(), value);
        }
    }
}

#[test]
fn import_config_comments_unknown_keys_and_bad_values() {
    let (_dir, path) = temp_conf(
        "# mine\nflush = DATA\nfrobnicate = 3\ndisk_full_action = ROTATE\nname_format = USER\nname = web1\n\
         end_of_event_timeout = 9999\nrules_dir = /srv/rules.d\n",
        0o644,
    );
    let out = import_config(&path);
    let body: Vec<&str> = out
        .lines()
        .skip(3)
        .take_while(|l| !l.starts_with("# Rules:"))
        .collect();
    assert_eq!(
        body,
        [
            "flush = data",
            "# not mapped: frobnicate = 3: unknown key, neither auditd's nor raudit's",
            "disk_full_action = rotate",
            "name_format = user",
            "name = web1",
            "# not mapped: end_of_event_timeout = 9999: not a whole number of seconds from 1 to 600",
            "rules_dir = /srv/rules.d",
        ]
    );
    let config = Config::parse(&out, &path).unwrap();
    assert_eq!(config.name.as_deref(), Some("web1"));
    // A file that cannot be read is an error naming it.
    let (code, _, err) = run(
        Path::new(BIN),
        &["daemon", "--import-config", "/nonexistent/auditd.conf"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "raudit: reading /nonexistent/auditd.conf: No such file or directory (os error 2)\n"
    );
}
