//! The fleet's tables in a real ClickHouse (Debian's clickhouse-server,
//! started privately on loopback for each test; see common::clickhouse):
//! `raudit fleet init` and `raudit export`.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::clickhouse::{clickhouse, free_port, ClickHouse};
use common::synth::{log, Spec};
use common::{raudit, search_json, stderr, wait_exit, wait_for, BIN};
use raudit::fleet::schema;

fn init(server: &ClickHouse) {
    let out = raudit(&["fleet", "init", &server.url]);
    assert!(out.status.success(), "fleet init: {}", stderr(&out));
}

/// The one line a failed command printed on stderr.
fn one_line_error(args: &[&str]) -> String {
    let out = raudit(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    err
}

#[test]
fn fleet_init_creates_the_tables_once() {
    let Some(server) = clickhouse("fleet_init_creates_the_tables_once") else {
        return;
    };
    init(&server);
    // Again: nothing to do, no error.
    init(&server);
    let columns = server.query(
        "SELECT name, type FROM system.columns WHERE database = 'raudit' AND table = 'events' FORMAT TSV",
    );
    let expected: String = schema::event_columns()
        .iter()
        .map(|(name, ty, _)| format!("{name}\t{ty}\n"))
        .collect();
    assert_eq!(columns, expected);
    let tables = server.query(
        "SELECT name, engine, partition_key, sorting_key FROM system.tables
         WHERE database = 'raudit' ORDER BY name FORMAT TSV",
    );
    assert_eq!(
        tables,
        "events\tReplacingMergeTree\ttoDate(time)\tnode, key, time, msec, serial, digest\n\
         loss\tReplacingMergeTree\ttoDate(time)\tnode, time, msec, kind, first_serial, last_serial\n"
    );
}

#[test]
fn fleet_init_keeps_rows_for_the_days_asked_or_says_why_not() {
    let Some(server) = clickhouse("fleet_init_keeps_rows_for_the_days_asked_or_says_why_not")
    else {
        return;
    };
    let version = schema::server_version(&server.client()).unwrap();
    let out = raudit(&["fleet", "init", &server.url, "--ttl-days", "30"]);
    if version < (19, 6) {
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("has no table TTL") && err.contains("DROP PARTITION"),
            "{err}"
        );
        assert_eq!(
            server.query("EXISTS TABLE raudit.events"),
            "0\n",
            "nothing created"
        );
    } else {
        assert!(out.status.success(), "{}", stderr(&out));
        let create = server.query("SHOW CREATE TABLE raudit.events");
        assert!(create.contains("TTL time + toIntervalDay(30)"), "{create}");
    }
}

#[test]
fn fleet_errors_say_what_went_wrong_in_one_line() {
    let Some(server) = clickhouse("fleet_errors_say_what_went_wrong_in_one_line") else {
        return;
    };
    // Nothing listens on that port.
    let refused = format!("http://127.0.0.1:{}/raudit", free_port());
    let err = one_line_error(&["fleet", "init", &refused]);
    assert!(err.contains("connection refused"), "{err}");
    // A server that takes the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/raudit", silent.local_addr().unwrap());
    let err = one_line_error(&["fleet", "init", &silent_url, "--timeout", "0.5"]);
    assert!(err.contains("no answer within 0.5 s"), "{err}");
    // ClickHouse's own message: a user it does not know.
    let stranger = server.url.replace("http://", "http://stranger@");
    let err = one_line_error(&["fleet", "init", &stranger]);
    assert!(
        err.contains("refused the request (HTTP") && err.contains("stranger"),
        "{err}"
    );
    // And exporting before `fleet init`.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    import(&db, &common::synth::log(common::synth::Spec::new(10, 1)));
    let db_arg = db.to_str().unwrap();
    let err = one_line_error(&[
        "export",
        "--db",
        db_arg,
        "--to",
        &server.url,
        "--retry-for",
        "0",
    ]);
    assert!(
        err.contains("(HTTP 404)") && err.contains("raudit") && err.contains("doesn't exist"),
        "{err}"
    );
    let err = one_line_error(&["fleet", "init", "ftp://host/x"]);
    assert!(err.contains("not a ClickHouse URL"), "{err}");
}

/// `raudit import` of a log given as text.
fn import(db: &Path, log: &str) {
    let file = db.with_extension("log");
    std::fs::write(&file, log).unwrap();
    common::import_log(&file, db);
}

/// A log whose records all carry `node=NODE` (those that name a node keep it).
fn on_node(node: &str, log: &str) -> String {
    log.lines()
        .map(|l| match l.starts_with("node=") {
            true => format!("{l}\n"),
            false => format!("node={node} {l}\n"),
        })
        .collect()
}

/// A store of `events` synthetic events and the repository's sample logs,
/// all from `node`.
fn store(dir: &Path, node: &str, events: usize, seed: u64) -> PathBuf {
    let mut text = log(Spec::new(events, seed));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for file in [
        "oracle/misc.log",
        "corpus/audit-rhel7.log",
        "corpus/test3.log",
    ] {
        text.push_str(&std::fs::read_to_string(data.join(file)).unwrap());
    }
    let db = dir.join(format!("{node}.db"));
    import(&db, &on_node(node, &text));
    db
}

/// The stores of nodes alpha and beta, of so many synthetic events, and
/// the fleet's tables.
fn two_nodes(
    server: &ClickHouse,
    (alpha, beta): (usize, usize),
    seed: u64,
) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let alpha = store(dir.path(), "alpha", alpha, seed);
    let beta = store(dir.path(), "beta", beta, seed + 1);
    init(server);
    (dir, alpha, beta)
}

type Identity = (String, i64, i64, u64);

/// Every event's (node, second, millisecond, serial) of `node`, sorted; a
/// stamp the store holds twice (an event ausearch's rules split) is listed
/// twice.
fn local_identities(db: &Path, node: &str) -> Vec<Identity> {
    let mut ids: Vec<Identity> = search_json(db, &["-n", node, "-w"])
        .iter()
        .map(|e| {
            (
                e["node"].as_str().unwrap().to_string(),
                e["sec"].as_i64().unwrap(),
                e["msec"].as_i64().unwrap(),
                e["serial"].as_u64().unwrap(),
            )
        })
        .collect();
    ids.sort();
    ids
}

/// The same, as the fleet's table shows them (FINAL: each row once).
fn fleet_identities(server: &ClickHouse, node: &str) -> Vec<Identity> {
    let text = server.query(&format!(
        "SELECT node, toUInt32(time), msec, serial FROM raudit.events FINAL
         WHERE node = '{node}' FORMAT TSV"
    ));
    let mut ids: Vec<Identity> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].into(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect();
    ids.sort();
    ids
}

/// The fleet holds exactly the store's events of `node`.
fn assert_fleet_has(server: &ClickHouse, db: &Path, node: &str) {
    let (fleet, local) = (fleet_identities(server, node), local_identities(db, node));
    assert!(!local.is_empty());
    let first = fleet.iter().zip(&local).find(|(a, b)| a != b);
    assert_eq!(
        (fleet.len(), first),
        (local.len(), None),
        "{node}: fleet rows against the store's events (count, first difference)"
    );
}

fn export_args<'a>(db: &'a Path, server: &'a ClickHouse, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["export", "--db", db.to_str().unwrap(), "--to", &server.url];
    args.extend_from_slice(extra);
    args
}

fn export(db: &Path, server: &ClickHouse, extra: &[&str]) -> String {
    let out = raudit(&export_args(db, server, extra));
    assert!(
        out.status.success(),
        "export {}: {}",
        db.display(),
        stderr(&out)
    );
    stderr(&out)
}

fn rows(server: &ClickHouse, node: &str, final_: &str) -> usize {
    let n = server.query(&format!(
        "SELECT count() FROM raudit.events {final_} WHERE node = '{node}'"
    ));
    n.trim().parse().unwrap()
}

#[test]
fn export_two_nodes_into_one_fleet_once_each() {
    let Some(server) = clickhouse("export_two_nodes_into_one_fleet_once_each") else {
        return;
    };
    let (_dir, alpha, beta) = two_nodes(&server, (1500, 1000), 7);
    let said = export(&alpha, &server, &["--batch", "250"]);
    // Every event of the store, its few of other nodes (node=host1 in a
    // sample log) included.
    let total = search_json(&alpha, &[]).len();
    assert!(
        said.starts_with(&format!("{total} events in 7 batches")),
        "{said}"
    );
    export(&beta, &server, &[]);
    assert_fleet_has(&server, &alpha, "alpha");
    assert_fleet_has(&server, &beta, "beta");
    let local = local_identities(&alpha, "alpha");
    // Nothing new: nothing sent.
    let said = export(&alpha, &server, &[]);
    assert!(said.starts_with("0 events in 0 batches"), "{said}");
    // Sent again from the start (a lost cursor): the rows are there twice
    // until merged, and every query with FINAL sees each event once.
    std::fs::remove_file(alpha.with_extension("db.export.json")).unwrap();
    export(&alpha, &server, &["--batch", "700"]);
    assert_fleet_has(&server, &alpha, "alpha");
    server.query("OPTIMIZE TABLE raudit.events FINAL");
    assert_eq!(
        rows(&server, "alpha", ""),
        local.len(),
        "merged into one row each"
    );
}

/// An export running in the background, started once the store is ready.
fn spawn_export(db: &Path, server: &ClickHouse, extra: &[&str]) -> std::process::Child {
    Command::new(BIN)
        .args(export_args(db, server, extra))
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting raudit export")
}

/// Waits until the export has recorded a batch in its cursor.
fn wait_first_batch(db: &Path) {
    let cursor = db.with_extension("db.export.json");
    assert!(
        wait_for(Duration::from_secs(60), || cursor.exists()),
        "no batch exported"
    );
}

fn finish(mut child: std::process::Child) -> (bool, String) {
    let status = wait_exit(&mut child, Duration::from_secs(120)).expect("export still running");
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status.success(), err)
}

#[test]
fn export_after_the_server_died_midway_loses_and_duplicates_nothing() {
    let Some(mut server) =
        clickhouse("export_after_the_server_died_midway_loses_and_duplicates_nothing")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let gamma = store(dir.path(), "gamma", 6000, 9);
    let delta = store(dir.path(), "delta", 3000, 10);
    init(&server);

    // Killed under an export that gives up at once: it fails, saying why;
    // the next run resumes at the cursor.
    let child = spawn_export(&gamma, &server, &["--batch", "100", "--retry-for", "0"]);
    wait_first_batch(&gamma);
    server.kill();
    let (ok, err) = finish(child);
    assert!(!ok, "the export outran the kill: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ClickHouse at"), "{err}");
    server.start();
    let sent_before = rows(&server, "gamma", "FINAL");
    let local = local_identities(&gamma, "gamma").len();
    assert!(sent_before < local, "{sent_before} of {local}");
    export(&gamma, &server, &["--batch", "5000", "--retry-for", "0"]);
    assert_fleet_has(&server, &gamma, "gamma");

    // Killed and restarted under an export that retries: it waits for the
    // server and finishes in the same run.
    let child = spawn_export(&delta, &server, &["--batch", "100", "--retry-for", "120"]);
    wait_first_batch(&delta);
    server.kill();
    std::thread::sleep(Duration::from_secs(1));
    server.start();
    let (ok, err) = finish(child);
    assert!(ok, "{err}");
    assert!(err.contains("retrying for up to 120 s"), "{err}");
    assert_fleet_has(&server, &delta, "delta");
    assert_fleet_has(&server, &gamma, "gamma");
}

/// `raudit search ARGS` in UTC and the C locale: stdout and exit code.
fn search_output(args: &[&str]) -> (String, Option<i32>) {
    common::outcome(&common::run_utc_c(Path::new(BIN), args))
}

#[test]
fn search_fleet_prints_what_each_store_prints() {
    let Some(server) = clickhouse("search_fleet_prints_what_each_store_prints") else {
        return;
    };
    let (_dir, alpha, beta) = two_nodes(&server, (800, 600), 21);
    export(&alpha, &server, &[]);
    export(&beta, &server, &[]);
    let queries: &[&[&str]] = &[
        &[],
        &["-k", "etc"],
        &["-k", "passwd", "-r"],
        &["-m", "PATH", "-m", "SOCKADDR"],
        &["-m", "USER_LOGIN", "-i"],
        &["-sc", "connect"],
        &["-ui", "0", "--format", "csv"],
        &["-ua", "1000", "-i"],
        &["-x", "/usr/bin/bash"],
        &["-w", "-x", "/usr/sbin/sshd", "-r"],
        &["-f", "/etc/shadow"],
        &["-f", "/srv", "-sv", "no"],
        &["-sv", "yes", "-k", "web", "-x", "nginx"],
        &[
            "-ts", "11/14/23", "22:13:50", "-te", "11/14/23", "22:14:20", "-r",
        ],
        &["-k", "nosuchkey"],
        &["-m", "CONFIG_CHANGE", "--format", "text"],
    ];
    let both = [
        "search",
        "--fleet",
        &server.url,
        "-n",
        "alpha",
        "-n",
        "beta",
    ];
    let mut failures = Vec::new();
    let mut empty = Vec::new();
    for query in queries {
        // Each store's own events, alpha's then beta's (node name order).
        let mut expected = (String::new(), Some(1));
        for (db, node) in [(&alpha, "alpha"), (&beta, "beta")] {
            let db = db.to_str().unwrap();
            let args = [&["search", "--db", db, "-n", node][..], query].concat();
            let (out, code) = search_output(&args);
            if query.contains(&"--format") && query.contains(&"csv") && !expected.0.is_empty() {
                // One header for the whole output.
                expected
                    .0
                    .push_str(out.split_once('\n').map_or("", |(_, rest)| rest));
            } else {
                expected.0.push_str(&out);
            }
            if code == Some(0) {
                expected.1 = Some(0);
            }
        }
        let got = search_output(&[&both[..], query].concat());
        if expected.1 != Some(0) {
            empty.push(*query);
        }
        if got != expected {
            failures.push(format!(
                "{query:?}:\n{}",
                common::first_difference("stores", &expected.0, &got.0)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        empty,
        [&["-k", "nosuchkey"][..]],
        "queries that found nothing"
    );
    // The node filter and a key select some of the events, not all.
    let all = search_output(&both).0;
    let some = search_output(&["search", "--fleet", &server.url, "-n", "beta", "-k", "etc"]).0;
    assert!(!some.is_empty() && some.len() < all.len());
}

/// A loss row written into a store as its daemon would have recorded it.
fn record_loss(db: &Path, time_ms: i64, kind: &str, count: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO loss (time_ms, kind, count, detail) VALUES (?1, ?2, ?3, 'test')",
        rusqlite::params![time_ms, kind, count],
    )
    .unwrap();
}

/// `raudit search ARGS` in UTC and the C locale: stderr.
fn search_stderr(args: &[&str]) -> String {
    common::stderr(&common::run_utc_c(Path::new(BIN), args))
}

#[test]
fn search_fleet_names_the_nodes_that_recorded_loss_in_the_window() {
    let Some(server) = clickhouse("search_fleet_names_the_nodes_that_recorded_loss") else {
        return;
    };
    let (_dir, alpha, beta) = two_nodes(&server, (40, 30), 41);
    // 2023-11-14 22:14:00 and 22:14:10 UTC on alpha; a day later on beta.
    record_loss(&alpha, 1_700_000_040_000, "kernel_lost", 10);
    record_loss(&alpha, 1_700_000_050_000, "restart", 2);
    record_loss(&beta, 1_700_086_400_000, "output", 3);
    export(&alpha, &server, &["--node", "alpha"]);
    export(&beta, &server, &["--node", "beta"]);
    let search =
        |extra: &[&str]| search_stderr(&[&["search", "--fleet", &server.url][..], extra].concat());
    let all = search(&[]);
    // Without any filter (no value to bind) the search runs too.
    let (events, code) = search_output(&["search", "--fleet", &server.url]);
    assert!(code == Some(0) && events.contains("node=alpha"), "{all}");
    assert!(
        all.contains("on 2 node(s)")
            && all.contains("alpha 12 (kernel_lost=10 restart=2), beta 3 (output=3)"),
        "{all}"
    );
    let window = search(&["-ts", "11/14/23", "22:13:50", "-te", "11/14/23", "22:14:05"]);
    assert!(
        window.contains("on 1 node(s)") && window.contains("alpha 10 (kernel_lost=10)"),
        "{window}"
    );
    let beta_only = search(&[
        "-n", "beta", "-ts", "11/14/23", "-te", "11/14/23", "23:59:59",
    ]);
    assert!(!beta_only.contains("loss recorded"), "{beta_only}");
}
