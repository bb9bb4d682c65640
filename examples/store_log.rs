//! Stores an auditd log in a new database (a development aid for comparing
//! `raudit search` with `ausearch -if`): store_log LOG DB

use raudit::event::LogEvents;
use raudit::record::parse_log_line;
use raudit::store::Writer;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, log, db] = &args[..] else {
        eprintln!("usage: store_log LOG DB");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(log).expect("reading the log");
    let events: Vec<_> =
        LogEvents::new(text.lines().filter(|l| !l.is_empty()).map(parse_log_line)).collect();
    Writer::open(std::path::Path::new(db))
        .expect("opening the database")
        .write(&events, &[])
        .expect("writing");
}
