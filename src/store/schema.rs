//! The schema and its migrations.
//!
//! Compatibility rules: migrations are append-only and keyed by SQLite's
//! `user_version`; a released migration is never edited. A database whose
//! version is newer than this binary knows is refused, not downgraded.
//!
//! Since version 7: one row per event (time, serial, flags and its records'
//! text, compressed) pointing at a `shape`, the row of the values users
//! filter on that many events share (see store::shape); paths in
//! `event_path`, rule keys and record types in shared sets. Version 6 had
//! a column and an index per promoted field on every event row, which
//! made each event cost about 25 B-tree inserts; a shape costs them once.

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
    // 7: the write path rebuilt for the kernel's rate. The promoted
    // columns move to `shape` (one row per distinct combination, indexed),
    // keys to shared `keyset`s, paths to `path_name` + `event_path`, the
    // body into the event row (more pieces of an event whose records came
    // apart in `body_more`); `state` keeps what a restarted daemon compares
    // with (boot id, last serial, the kernel's lost counter); loss rows get
    // the start of the period they cover. Existing events are carried over.
    "
    DROP INDEX path_name;
    CREATE TABLE keyset (
        id   INTEGER PRIMARY KEY,
        keys TEXT NOT NULL UNIQUE     -- joined by char(1); '' for none
    );
    CREATE TABLE keyset_member (
        key       TEXT NOT NULL,
        keyset_id INTEGER NOT NULL REFERENCES keyset (id),
        PRIMARY KEY (key, keyset_id)
    ) WITHOUT ROWID;
    CREATE TABLE shape (
        id       INTEGER PRIMARY KEY,
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
        terminal TEXT,
        hostname TEXT,
        addr     TEXT,
        comm     TEXT,
        exe      TEXT,
        subj     TEXT,
        obj      TEXT,
        cwd      TEXT,               -- the CWD record's (events migrated from 6: in event_path)
        typeset  INTEGER NOT NULL REFERENCES typeset (id),
        keyset   INTEGER NOT NULL REFERENCES keyset (id)
    );
    CREATE TABLE path_name (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE event_path (
        path_id  INTEGER NOT NULL REFERENCES path_name (id),
        event_id INTEGER NOT NULL,
        PRIMARY KEY (path_id, event_id)
    ) WITHOUT ROWID;
    CREATE TABLE event7 (
        id      INTEGER PRIMARY KEY, -- arrival order of the event's first record
        time_ms INTEGER NOT NULL,    -- seconds * 1000 + milliseconds
        serial  INTEGER NOT NULL,
        shape   INTEGER NOT NULL REFERENCES shape (id),
        flags   INTEGER NOT NULL DEFAULT 0, -- 1 a record did not parse, 2 open, 4 body_more
        body    BLOB NOT NULL,       -- 'TYPE text' lines: text, or a zstd frame
        dict    INTEGER REFERENCES body_dict (id)
    );
    CREATE TABLE body_more (
        event_id INTEGER NOT NULL,
        seq      INTEGER NOT NULL,
        body     BLOB NOT NULL,
        dict     INTEGER REFERENCES body_dict (id),
        PRIMARY KEY (event_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value
    ) WITHOUT ROWID;
    ALTER TABLE loss ADD COLUMN start_ms INTEGER;

    CREATE INDEX migrate_event_key ON event_key (event_id);
    CREATE TEMP TABLE migrate_keys AS
        SELECT e.id AS event_id,
               coalesce((SELECT group_concat(k.key, char(1)) FROM event_key k
                         WHERE k.event_id = e.id), '') AS keys
        FROM event e;
    INSERT INTO keyset (keys) SELECT DISTINCT keys FROM migrate_keys;
    INSERT OR IGNORE INTO keyset_member (key, keyset_id)
        SELECT k.key, ks.id FROM event_key k
        JOIN migrate_keys mk ON mk.event_id = k.event_id
        JOIN keyset ks ON ks.keys = mk.keys;
    INSERT INTO shape (node, syscall, arch, success, exit, pid, ppid, uid, euid, auid, gid,
            egid, ses, tty, terminal, hostname, addr, comm, exe, subj, obj, typeset, keyset)
        SELECT DISTINCT e.node, e.syscall, e.arch, e.success, e.exit, e.pid, e.ppid, e.uid,
            e.euid, e.auid, e.gid, e.egid, e.ses, e.tty, e.terminal, e.hostname, e.addr, e.comm,
            e.exe, e.subj, e.obj, e.typeset, ks.id
        FROM event e JOIN migrate_keys mk ON mk.event_id = e.id
        JOIN keyset ks ON ks.keys = mk.keys;
    CREATE INDEX migrate_shape ON shape (pid, syscall, exit, typeset, keyset);
    INSERT INTO event7 (id, time_ms, serial, shape, flags, body, dict)
        SELECT e.id, e.time_ms, e.serial,
            (SELECT s.id FROM shape s WHERE s.pid IS e.pid AND s.syscall IS e.syscall
                AND s.exit IS e.exit AND s.typeset = e.typeset AND s.keyset = ks.id
                AND s.node IS e.node AND s.arch IS e.arch AND s.success IS e.success
                AND s.ppid IS e.ppid AND s.uid IS e.uid AND s.euid IS e.euid
                AND s.auid IS e.auid AND s.gid IS e.gid AND s.egid IS e.egid
                AND s.ses IS e.ses AND s.tty IS e.tty AND s.terminal IS e.terminal
                AND s.hostname IS e.hostname AND s.addr IS e.addr AND s.comm IS e.comm
                AND s.exe IS e.exe AND s.subj IS e.subj AND s.obj IS e.obj),
            e.flags, b.records, b.dict
        FROM event e JOIN migrate_keys mk ON mk.event_id = e.id
        JOIN keyset ks ON ks.keys = mk.keys
        JOIN body b ON b.event_id = e.id;
    INSERT INTO path_name (name) SELECT name FROM path_names;
    INSERT OR IGNORE INTO event_path (path_id, event_id)
        SELECT pn.id, p.event_id FROM path p JOIN path_name pn ON pn.name = p.name;
    DROP INDEX migrate_shape;
    DROP TABLE temp.migrate_keys;
    DROP TABLE event_key;
    DROP TABLE key_names;
    DROP TABLE path;
    DROP TABLE path_names;
    DROP TABLE text_names;
    DROP TABLE body;
    DROP TABLE event;
    ALTER TABLE event7 RENAME TO event;
    INSERT OR IGNORE INTO keyset (keys) VALUES ('');

    CREATE INDEX event_time ON event (time_ms);
    CREATE INDEX event_serial ON event (serial);
    CREATE INDEX event_shape ON event (shape);
    CREATE INDEX shape_pid ON shape (pid);
    CREATE INDEX shape_ppid ON shape (ppid);
    CREATE INDEX shape_uid ON shape (uid);
    CREATE INDEX shape_euid ON shape (euid);
    CREATE INDEX shape_auid ON shape (auid);
    CREATE INDEX shape_gid ON shape (gid);
    CREATE INDEX shape_egid ON shape (egid);
    CREATE INDEX shape_ses ON shape (ses);
    CREATE INDEX shape_syscall ON shape (syscall);
    CREATE INDEX shape_exit ON shape (exit);
    CREATE INDEX shape_failed ON shape (success) WHERE success = 0;
    CREATE INDEX shape_typeset ON shape (typeset);
    CREATE INDEX shape_keyset ON shape (keyset);
    ",
    // 8: the tamper-evident chain (see store::chain): one row per commit
    // that stored events, pieces, loss rows or dictionaries, its MAC
    // covering what it wrote and the previous row's MAC. `pruned` marks a
    // retention commit: rows up to that seq were deleted, the one with it
    // kept as the chain's start.
    "
    CREATE TABLE chain (
        seq         INTEGER PRIMARY KEY,
        time_ms     INTEGER NOT NULL,
        first_event INTEGER,
        last_event  INTEGER,
        first_loss  INTEGER,
        last_loss   INTEGER,
        pruned      INTEGER,
        items       BLOB NOT NULL,   -- a 64-bit mark of each event, then loss row
        pieces      BLOB NOT NULL,   -- kind, ids and digest of each piece and dictionary
        content     BLOB NOT NULL,   -- SHA-256 of all the items' digests
        mac         BLOB NOT NULL
    );
    CREATE INDEX chain_last_event ON chain (last_event);
    ",
    // 9: context the daemon adds to an event at ingest (see
    // crate::enrich): the systemd unit and container id from the cgroup of
    // its process, and the programs its ancestors ran, nearest first. Few
    // distinct combinations exist, so an event row points at a shared
    // `context` row, whose ancestry is a shared `lineage`: an event costs
    // one entry in a partial index, none without context (a table keyed by
    // event cost two B-tree inserts, a quarter more writing time). Not a
    // kernel record: the chain does not cover it (store::chain reads the
    // event's time, serial and body only); retention deletes it with the
    // event row.
    "
    CREATE TABLE lineage (
        id   INTEGER PRIMARY KEY,
        exes TEXT NOT NULL UNIQUE        -- joined by char(1), nearest first
    );
    CREATE TABLE lineage_member (
        exe        TEXT NOT NULL,
        lineage_id INTEGER NOT NULL REFERENCES lineage (id),
        PRIMARY KEY (exe, lineage_id)
    ) WITHOUT ROWID;
    CREATE TABLE context (
        id        INTEGER PRIMARY KEY,
        key       TEXT NOT NULL UNIQUE,  -- unit, container, lineage joined by char(1)
        unit      TEXT,
        container TEXT,                  -- 64 hex digits
        lineage   INTEGER REFERENCES lineage (id)
    );
    CREATE INDEX context_unit ON context (unit) WHERE unit IS NOT NULL;
    CREATE INDEX context_container ON context (container) WHERE container IS NOT NULL;
    CREATE INDEX context_lineage ON context (lineage) WHERE lineage IS NOT NULL;
    ALTER TABLE event ADD COLUMN context INTEGER REFERENCES context (id);
    CREATE INDEX event_context ON event (context) WHERE context IS NOT NULL;
    ",
    // 10: the names of an event's uid, auid and gid as they were when the
    // daemon stored it (crate::enrich::accounts), part of its context: a
    // rename or a reused uid later does not change what the event says.
    "
    ALTER TABLE context ADD COLUMN uid_name TEXT;
    ALTER TABLE context ADD COLUMN auid_name TEXT;
    ALTER TABLE context ADD COLUMN gid_name TEXT;
    ",
];
