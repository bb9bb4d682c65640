//! A private ClickHouse server for a test: Debian's clickhouse-server on
//! loopback, with its own config, data directory and ports, stopped by its
//! pid when the test ends. Without the package a test skips with one line
//! (and fails under CI=true, which installs it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use raudit::fleet::{Client, Url};

pub const SERVER: &str = "/usr/sbin/clickhouse-server";

pub struct ClickHouse {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub http_port: u16,
    /// `http://127.0.0.1:PORT/raudit`
    pub url: String,
}

/// Starts a server for `test`, or says in one line why it cannot.
pub fn clickhouse(test: &str) -> Option<ClickHouse> {
    if !Path::new(SERVER).exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: {SERVER} (Debian's clickhouse-server package) is needed in CI");
        }
        eprintln!("skipping {test}: {SERVER} is not installed (apt-get install clickhouse-server)");
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (http_port, tcp_port) = (free_port(), free_port());
    write_config(dir.path(), http_port, tcp_port);
    let mut server = ClickHouse {
        child: None,
        dir,
        http_port,
        url: format!("http://127.0.0.1:{http_port}/raudit"),
    };
    server.start();
    Some(server)
}

/// A port nobody listens on now (the kernel's choice of a free one).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().unwrap().port()
}

fn write_config(dir: &Path, http_port: u16, tcp_port: u16) {
    let d = dir.display();
    std::fs::write(
        dir.join("config.xml"),
        format!(
            r#"<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http_port}</http_port>
  <tcp_port>{tcp_port}</tcp_port>
  <path>{d}/data/</path>
  <tmp_path>{d}/data/tmp/</tmp_path>
  <user_files_path>{d}/data/user_files/</user_files_path>
  <format_schema_path>{d}/data/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("users.xml"),
        r#"<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
"#,
    )
    .unwrap();
}

impl ClickHouse {
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config.xml")
    }

    /// Starts the server and waits until it answers /ping.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "the server is running already");
        let log = std::fs::File::create(self.dir.path().join("stdout.log")).unwrap();
        let child = Command::new(SERVER)
            .arg(format!("--config-file={}", self.config().display()))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting clickhouse-server");
        self.child = Some(child);
        let up = super::wait_for(Duration::from_secs(60), || self.ping());
        assert!(
            up,
            "clickhouse-server did not answer on port {}: {}",
            self.http_port,
            self.log()
        );
    }

    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.http_port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = s.write_all(b"GET /ping HTTP/1.0\r\n\r\n");
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer.ends_with("Ok.\n")
    }

    /// What the server said on its stdout and in its error log.
    pub fn log(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.dir.path().join(n)).unwrap_or_default();
        format!("{}{}", read("stdout.log"), read("server.err.log"))
    }

    /// SIGKILL, as a crash: no answer to what is in flight.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            let _ = child.wait();
        }
    }

    /// SIGTERM, then SIGKILL if it is still there 20 s later.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            if super::wait_exit(&mut child, Duration::from_secs(20)).is_none() {
                let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            }
            let _ = child.wait();
        }
    }

    pub fn client(&self) -> Client {
        Client::new(Url::parse(&self.url).unwrap(), Duration::from_secs(30))
    }

    /// A query's answer as text (TSV unless the statement says otherwise).
    pub fn query(&self, sql: &str) -> String {
        let body = self
            .client()
            .query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        String::from_utf8(body).unwrap()
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        self.stop();
    }
}
