//! The fleet's tables in a real ClickHouse (Debian's clickhouse-server,
//! started privately on loopback for each test; see common::clickhouse):
//! `raudit fleet init`.

mod common;

use std::net::TcpListener;

use common::clickhouse::{clickhouse, free_port, ClickHouse};
use common::{raudit, stderr};
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
    let err = one_line_error(&["fleet", "init", "ftp://host/x"]);
    assert!(err.contains("not a ClickHouse URL"), "{err}");
}
