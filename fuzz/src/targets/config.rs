//! `config`: raudit.conf as `raudit daemon` reads it, and auditd.conf as
//! `raudit daemon --import-config` converts it.
//!
//! A file that parses prints (`--check-config`) as a file that parses
//! back to the same settings; an auditd.conf converted is a raudit.conf
//! whose lines name the auditd keys it could not carry over, never a
//! panic.

use std::path::Path;

use raudit::config::{import, Config};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("/fuzz/raudit.conf");
    if let Ok(config) = Config::parse(&text, path) {
        let printed = config.to_string();
        let again = Config::parse(&printed, path)
            .unwrap_or_else(|e| panic!("the printed settings do not parse:\n{printed}\n{e}"));
        assert_eq!(again, config, "printed and read back, the settings changed");
        let _ = config.durability();
    }
    let converted = import::from_auditd(&text, path);
    let _ = Config::parse(&converted, path);
}
