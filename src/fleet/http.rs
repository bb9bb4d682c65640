//! A small HTTP/1.1 client for ClickHouse's HTTP interface, over
//! `std::net::TcpStream`: one request per connection (`Connection:
//! close`), the statement in the `query` URL parameter, data (rows to
//! insert) in the POST body, the answer's body read whole (plain or
//! chunked). That interface is ClickHouse's stable one: the same requests
//! work from 18.x (Debian bookworm's) to current servers.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::FleetError;

/// Where the fleet's tables are: `http://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// ClickHouse's HTTP port.
pub const DEFAULT_PORT: u16 = 8123;
/// The database the tables go in when the URL names none.
pub const DEFAULT_DATABASE: &str = "raudit";

impl Url {
    pub fn parse(text: &str) -> Result<Url, FleetError> {
        let bad = |why: &str| FleetError::BadUrl {
            url: text.to_string(),
            why: why.to_string(),
        };
        let rest = match text.split_once("://") {
            Some(("http", rest)) => rest,
            Some(("https", _)) => {
                return Err(bad(
                    "https is not supported; use http (e.g. through a local TLS tunnel)",
                ))
            }
            Some(_) | None => return Err(bad("give http://HOST[:PORT][/DATABASE]")),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = split_port(hostport).ok_or_else(|| bad("bad port"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let database = path.trim_end_matches('/');
        let database = if database.is_empty() {
            DEFAULT_DATABASE
        } else {
            database
        };
        if !is_identifier(database) {
            return Err(bad("the database name may hold only letters, digits and _"));
        }
        let (user, password) = match userinfo.map(|u| u.split_once(':').unwrap_or((u, ""))) {
            Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
            None => (None, None),
        };
        Ok(Url {
            host: host.to_string(),
            port,
            database: database.to_string(),
            user,
            password,
        })
    }

    /// The URL without its credentials: what messages and cursors name.
    pub fn display(&self) -> String {
        format!("http://{}:{}/{}", self.host, self.port, self.database)
    }
}

/// `HOST[:PORT]`, `[V6]:PORT` included.
fn split_port(hostport: &str) -> Option<(&str, u16)> {
    if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(p) => Some((host, p.parse().ok()?)),
            None if after.is_empty() => Some((host, DEFAULT_PORT)),
            None => None,
        };
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => Some((h, p.parse().ok()?)),
        None => Some((hostport, DEFAULT_PORT)),
    }
}

/// A name ClickHouse takes without quoting, and that needs none in SQL.
pub fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Values sent beside a statement, which reads them as a table by `name`
/// (ClickHouse's external data): bound, never part of the SQL text.
#[derive(Debug, Clone)]
pub struct ExternalTable {
    pub name: String,
    /// Its columns: `v String`.
    pub structure: String,
    /// JSONEachRow rows.
    pub rows: Vec<u8>,
}

/// Talks to one ClickHouse server.
#[derive(Debug, Clone)]
pub struct Client {
    pub url: Url,
    /// For connecting, and for each read or write once connected.
    pub timeout: Duration,
}

impl Client {
    pub fn new(url: Url, timeout: Duration) -> Client {
        Client { url, timeout }
    }

    /// Runs one statement whose text is `sql`, sending `data` (rows of an
    /// INSERT ... FORMAT) as the body; returns the answer's body.
    pub fn execute(&self, sql: &str, data: &[u8]) -> Result<Vec<u8>, FleetError> {
        self.post(&[("query", sql)], "application/octet-stream", data)
    }

    /// Runs a statement given whole in the body (DDL, SELECT).
    pub fn query(&self, sql: &str) -> Result<Vec<u8>, FleetError> {
        self.post(&[], "text/plain; charset=UTF-8", sql.as_bytes())
    }

    /// Runs `sql` with `tables` sent beside it as ClickHouse's external
    /// data (multipart/form-data, each table's rows in JSONEachRow).
    pub fn query_with_tables(
        &self,
        sql: &str,
        tables: &[ExternalTable],
    ) -> Result<Vec<u8>, FleetError> {
        // A multipart body without a part is refused ("Not found: name").
        if tables.is_empty() {
            return self.query(sql);
        }
        const BOUNDARY: &str = "raudit-7c1d0f9e8b2a4c63";
        let mut params: Vec<(String, String)> = vec![("query".into(), sql.into())];
        let mut body = Vec::new();
        for t in tables {
            params.push((format!("{}_structure", t.name), t.structure.clone()));
            params.push((format!("{}_format", t.name), "JSONEachRow".into()));
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{0}\"; filename=\"{0}\"\r\n\r\n",
                    t.name
                )
                .as_bytes(),
            );
            body.extend_from_slice(&t.rows);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.post(
            &params,
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            &body,
        )
    }

    /// POSTs `body` to `/` with `params` in the URL.
    pub fn post(
        &self,
        params: &[(&str, &str)],
        content_type: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, FleetError> {
        // Statements name their tables in full (`db.events`): the database
        // may not exist yet when `fleet init` runs.
        let mut target = String::from("/");
        for (i, (name, value)) in params.iter().enumerate() {
            target.push(if i == 0 { '?' } else { '&' });
            target.push_str(&percent_encode(name));
            target.push('=');
            target.push_str(&percent_encode(value));
        }
        let mut head = format!(
            "POST {target} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            self.url.host,
            self.url.port,
            body.len()
        );
        if let Some(user) = &self.url.user {
            let pair = format!("{user}:{}", self.url.password.as_deref().unwrap_or(""));
            head.push_str(&format!(
                "Authorization: Basic {}\r\n",
                base64(pair.as_bytes())
            ));
        }
        head.push_str("\r\n");
        let mut stream = self.connect()?;
        let io = |e| self.io_error(e);
        stream.write_all(head.as_bytes()).map_err(io)?;
        stream.write_all(body).map_err(io)?;
        stream.flush().map_err(io)?;
        let response = read_response(&mut BufReader::new(stream)).map_err(io)?;
        if response.status != 200 {
            return Err(FleetError::Http {
                server: self.url.display(),
                status: response.status,
                message: first_line(&response.body),
            });
        }
        Ok(response.body)
    }

    fn connect(&self) -> Result<TcpStream, FleetError> {
        let addrs: Vec<SocketAddr> = (self.url.host.as_str(), self.url.port)
            .to_socket_addrs()
            .map_err(|e| FleetError::Resolve {
                server: self.url.display(),
                source: e,
            })?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(s) => {
                    let io = |e| self.io_error(e);
                    s.set_read_timeout(Some(self.timeout)).map_err(io)?;
                    s.set_write_timeout(Some(self.timeout)).map_err(io)?;
                    s.set_nodelay(true).map_err(io)?;
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(self.io_error(
            last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address")),
        ))
    }

    fn io_error(&self, e: std::io::Error) -> FleetError {
        let server = self.url.display();
        match e.kind() {
            std::io::ErrorKind::ConnectionRefused => FleetError::Refused { server },
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => FleetError::Timeout {
                server,
                secs: self.timeout.as_secs_f64(),
            },
            _ => FleetError::Io { server, source: e },
        }
    }
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

/// Reads a status line, headers and the body (by Content-Length, chunked,
/// or up to the end of the connection).
fn read_response(reader: &mut impl BufRead) -> std::io::Result<Response> {
    let status_line = read_line(reader)?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not an HTTP answer: {status_line:?}")))?;
    let mut length = None;
    let mut chunked = false;
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse()
                    .map_err(|_| invalid("bad Content-Length".into()))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let mut body = Vec::new();
    if chunked {
        read_chunks(reader, &mut body)?;
    } else if let Some(n) = length {
        body.resize(n, 0);
        reader.read_exact(&mut body)?;
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(Response { status, body })
}

fn read_chunks(reader: &mut impl BufRead, body: &mut Vec<u8>) -> std::io::Result<()> {
    loop {
        let line = read_line(reader)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(reader)?.is_empty() {}
            return Ok(());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?;
    }
}

/// One header line without its CRLF; an error at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection before its answer ended",
        ));
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

fn invalid(why: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}

/// The first line of ClickHouse's error text (its stack trace, when it
/// sends one, follows).
fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.lines().next().unwrap_or("").trim().to_string()
}

/// Percent-encodes everything but RFC 3986's unreserved bytes.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("http://ch.example:9123/audit").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.database.as_str()),
            ("ch.example", 9123, "audit")
        );
        let u = Url::parse("http://bob:s3cret@[::1]").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.database.as_str()),
            ("::1", 8123, "raudit")
        );
        assert_eq!(
            (u.user.as_deref(), u.password.as_deref()),
            (Some("bob"), Some("s3cret"))
        );
        assert_eq!(u.display(), "http://::1:8123/raudit");
        for bad in [
            "ch:8123",
            "https://ch",
            "http://:80",
            "http://ch:x",
            "http://ch/a;drop",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chunked_and_plain_answers() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let r = read_response(&mut &chunked[..]).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abcde"[..]));
        let plain = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nCode";
        let r = read_response(&mut &plain[..]).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (500, &b"Code"[..]));
        let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab";
        assert!(read_response(&mut &cut[..]).is_err());
    }

    #[test]
    fn encodings() {
        assert_eq!(percent_encode("SELECT 1+a&b"), "SELECT%201%2Ba%26b");
        assert_eq!(base64(b"default:"), "ZGVmYXVsdDo=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
