//! The schema and its migrations.
//!
//! Compatibility rules: migrations are append-only and keyed by SQLite's
//! `user_version`; a released migration is never edited. A database whose
//! version is newer than this binary knows is refused, not downgraded.
//!
//! One row per event with the fields users filter on promoted to columns;
//! keys, record types and paths in side tables (an event has several of
//! each), every record's text verbatim in `record`.

pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE event (
        id       INTEGER PRIMARY KEY,
        time_ms  INTEGER NOT NULL,   -- seconds * 1000 + milliseconds
        serial   INTEGER NOT NULL,
        node     TEXT,
        syscall  INTEGER,
        arch     INTEGER,
        success  INTEGER,            -- 1 yes, 0 no
        exit     INTEGER,
        pid      INTEGER,
        ppid     INTEGER,
        uid      INTEGER,
        euid     INTEGER,
        auid     INTEGER,
        gid      INTEGER,
        egid     INTEGER,
        ses      INTEGER,
        tty      TEXT,
        terminal TEXT,               -- user messages' terminal=
        hostname TEXT,               -- user messages' hostname=
        addr     TEXT,               -- user messages' addr=
        comm     TEXT,
        exe      TEXT,
        subj     TEXT,               -- subject security context
        obj      TEXT,               -- first object security context
        typeset  INTEGER NOT NULL REFERENCES typeset (id),
        flags    INTEGER NOT NULL DEFAULT 0  -- 1: a record did not parse
    );
    CREATE INDEX event_time ON event (time_ms, serial);
    CREATE INDEX event_serial ON event (serial);
    CREATE INDEX event_pid ON event (pid);
    CREATE INDEX event_uid ON event (uid);
    CREATE INDEX event_auid ON event (auid);
    CREATE INDEX event_exe ON event (exe);
    CREATE INDEX event_syscall ON event (syscall, time_ms);

    CREATE TABLE event_key (
        event_id INTEGER NOT NULL REFERENCES event (id),
        key      TEXT NOT NULL
    );
    CREATE INDEX event_key_key ON event_key (key, event_id);

    -- The set of record types in an event. Few distinct sets exist (an
    -- open() gives SYSCALL, CWD, PATH, PROCTITLE every time), so events
    -- point at a shared set instead of carrying one row per type.
    CREATE TABLE typeset (
        id    INTEGER PRIMARY KEY,
        types TEXT NOT NULL UNIQUE   -- sorted numbers: 1300,1302,1307,1327
    );
    CREATE TABLE typeset_member (
        type       INTEGER NOT NULL,
        typeset_id INTEGER NOT NULL REFERENCES typeset (id),
        PRIMARY KEY (type, typeset_id)
    ) WITHOUT ROWID;
    CREATE INDEX event_typeset ON event (typeset, time_ms);

    CREATE TABLE path (
        event_id INTEGER NOT NULL REFERENCES event (id),
        item     INTEGER,            -- PATH item=; NULL for the CWD
        name     TEXT,
        nametype TEXT,
        inode    INTEGER
    );
    CREATE INDEX path_name ON path (name, event_id);

    -- Every record of an event, verbatim, one per line as
    -- 'TYPE audit(...): body' (the kernel escapes newlines in values), in
    -- arrival order. One row per event: a write appends one row, not one
    -- per record.
    CREATE TABLE body (
        event_id INTEGER PRIMARY KEY REFERENCES event (id),
        records  TEXT NOT NULL
    );

    -- Loss is data: the kernel's lost counter, serial gaps, socket overruns.
    CREATE TABLE loss (
        id           INTEGER PRIMARY KEY,
        time_ms      INTEGER NOT NULL,
        kind         TEXT NOT NULL,  -- kernel_lost | serial_gap | overrun
        first_serial INTEGER,
        last_serial  INTEGER,
        count        INTEGER NOT NULL,
        detail       TEXT
    );
    CREATE INDEX loss_time ON loss (time_ms);
    ",
    // 2: what auditd's ENRICHED log format wrote after each record's \x1d
    // separator, kept for imported events so that `search -r` gives the
    // lines back as they were and `-i` uses the names of the logging host.
    "
    CREATE TABLE enrichment (
        event_id INTEGER PRIMARY KEY REFERENCES event (id),
        records  TEXT NOT NULL   -- per body line: '-' none, or '+' and the text
    );
    ",
    // 3: the distinct keys and path names. ausearch's -k and -f match
    // substrings; scanning these few values and then looking events up by
    // the values found answers from indexes, where scanning every event's
    // key or path would not.
    "
    CREATE TABLE key_names (key TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT OR IGNORE INTO key_names SELECT DISTINCT key FROM event_key;
    CREATE TABLE path_names (name TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT OR IGNORE INTO path_names SELECT DISTINCT name FROM path WHERE name IS NOT NULL;
    ",
    // 4: the distinct values of the text columns searched by substring
    // (-c, -x, -hn, -tm, -se/-su/-o, -n), and indexes to find events by
    // value: a substring search scans these few values, then looks events
    // up by the values found, as keys and paths do. Columns mostly empty
    // on syscall events get partial indexes.
    "
    CREATE TABLE text_names (
        col   TEXT NOT NULL,   -- the event column: comm, exe, tty, ...
        value TEXT NOT NULL,
        PRIMARY KEY (col, value)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO text_names SELECT 'comm', comm FROM event WHERE comm IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'exe', exe FROM event WHERE exe IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'tty', tty FROM event WHERE tty IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'terminal', terminal FROM event WHERE terminal IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'hostname', hostname FROM event WHERE hostname IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'addr', addr FROM event WHERE addr IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'subj', subj FROM event WHERE subj IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'obj', obj FROM event WHERE obj IS NOT NULL;
    INSERT OR IGNORE INTO text_names SELECT 'node', node FROM event WHERE node IS NOT NULL;
    CREATE INDEX event_comm ON event (comm);
    CREATE INDEX event_tty ON event (tty);
    CREATE INDEX event_terminal ON event (terminal) WHERE terminal IS NOT NULL;
    CREATE INDEX event_hostname ON event (hostname) WHERE hostname IS NOT NULL;
    CREATE INDEX event_addr ON event (addr) WHERE addr IS NOT NULL;
    CREATE INDEX event_subj ON event (subj) WHERE subj IS NOT NULL;
    CREATE INDEX event_obj ON event (obj) WHERE obj IS NOT NULL;
    CREATE INDEX event_node ON event (node) WHERE node IS NOT NULL;
    ",
    // 5: compressed bodies. `body.records` holds the text, or a zstd
    // frame made with the dictionary `body.dict` names (see store::body).
    "
    CREATE TABLE body_dict (
        id   INTEGER PRIMARY KEY,
        dict BLOB NOT NULL
    );
    ALTER TABLE body ADD COLUMN dict INTEGER REFERENCES body_dict (id);
    ",
    // 6: indexes for the remaining selective filters (-ue, -e, -pp, -gi,
    // -ge, --session) and for failed events (-sv no): success is yes on most
    // events, so only the failures are indexed. --arch has one or two
    // values on a machine: the time order is its plan.
    "
    CREATE INDEX event_euid ON event (euid);
    CREATE INDEX event_exit ON event (exit);
    CREATE INDEX event_ppid ON event (ppid);
    CREATE INDEX event_gid ON event (gid);
    CREATE INDEX event_egid ON event (egid);
    CREATE INDEX event_ses ON event (ses);
    CREATE INDEX event_failed ON event (success) WHERE success = 0;
    ",
];
