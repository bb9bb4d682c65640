//! The format of `kernel-rules.hex`: per rule a "command:" line (the
//! auditctl command that loaded it), "listed:" (what `auditctl -l` printed),
//! "length:" (payload bytes), then "OFFSET: hex words" rows; rows left out
//! are zero. Included by the unit test that decodes the bytes without root
//! and by the kernel test that captures them, so the format has one reader.

pub struct Fixture {
    pub command: String,
    pub listed: String,
    pub bytes: Vec<u8>,
}

pub fn parse(text: &str) -> Vec<Fixture> {
    let mut fixtures: Vec<Fixture> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (key, value) = line.split_once(": ").expect("key: value");
        match key {
            "command" => fixtures.push(Fixture {
                command: value.to_string(),
                listed: String::new(),
                bytes: Vec::new(),
            }),
            "listed" => fixtures.last_mut().unwrap().listed = value.to_string(),
            "length" => fixtures.last_mut().unwrap().bytes = vec![0; value.parse().unwrap()],
            offset => {
                let bytes = &mut fixtures.last_mut().unwrap().bytes;
                let start = usize::from_str_radix(offset, 16).unwrap();
                let hex: String = value.split_whitespace().collect();
                for (i, at) in (0..hex.len()).step_by(2).zip(start..) {
                    bytes[at] = u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
                }
            }
        }
    }
    fixtures
}
