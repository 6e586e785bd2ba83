//! Bulk loads into an empty catalog (`labeldesk generate`, the JSON and CSV imports): the
//! connection settings for them and the search index built beside the rows on a second core.
//!
//! Row by row, the schema's triggers rebuild a release's search document (and re-index it in
//! both FTS5 indexes) for every catalog number and barcode added: tens of microseconds a row.
//! A bulk load drops those triggers and the secondary indexes of the tables it fills, writes
//! the rows, builds each index once, and builds the search index on its own thread while the
//! rows go in:
//!
//! 1. [`BulkLoad::begin`] drops the triggers and indexes (remembering their exact SQL) and
//!    starts one named thread per FTS5 index (`labeldesk-index-words`,
//!    `labeldesk-index-substrings`), each with a private in-memory database holding an index
//!    created from the catalog's own `CREATE VIRTUAL TABLE` statement.
//! 2. While the caller writes rows it hands over each artist's and track's search document
//!    ([`BulkLoad::add_artist`], [`BulkLoad::add_track`]); the threads tokenize them at once,
//!    so FTS5's work (more than half of a million-track load) runs on the second core.
//! 3. [`BulkLoad::restore_indexes`] builds the dropped indexes.
//! 4. [`BulkLoad::build_search`] adds the documents only SQL can write (a release's catalog
//!    numbers and barcodes, from the schema's `release_search_body` view; artists or tracks the
//!    caller did not hand over), writes `search_docs`, waits for the threads and copies their
//!    finished FTS5 shadow tables (`%_data`, `%_idx`) into the catalog, after re-creating the
//!    two virtual tables so no cached FTS5 state of this connection outlives the copy.
//! 5. [`BulkLoad::restore_triggers`] puts the triggers back.
//!
//! Everything happens inside the caller's one transaction: a rollback (cancel, error) also
//! restores what was dropped, and the threads' databases are thrown away. The result is the
//! index SQLite itself would have built (`integrity-check` against the documents passes; the
//! same input always gives the same bytes); it may be split in two or three segments where
//! documents arrived out of id order, which FTS5 reads as one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, Transaction};

use super::error::{DbError, Result};
use crate::jobs::JobControl;

/// The two FTS5 indexes and the names of the threads that build them.
pub const SEARCH_INDEXES: [(&str, &str); 2] = [
    ("search_words", "labeldesk-index-words"),
    ("search_trigram", "labeldesk-index-substrings"),
];

/// FTS5 `hashsize` while a thread builds an index: big enough that a million-track index is
/// kept in memory and written as one segment per run of ascending ids (no merging). Measured
/// on the 1M-track catalog: 1, 8, 16, 32 and 64 MiB with a final `optimize` were no faster for
/// the word index and up to 40% slower for the trigram index.
const BULK_FTS_HASHSIZE: i64 = 256 * 1024 * 1024;

/// Threads building the two indexes.
const INDEX_THREADS: usize = 2;

/// What [`BulkLoad::build_search`] did, and where its time went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchBuilt {
    /// Search documents written (one per artist, release and track).
    pub documents: u64,
    /// Writing `search_docs`.
    pub writing_documents: Duration,
    /// Waiting for the index threads to finish after that.
    pub waiting: Duration,
    /// Copying their indexes into the catalog.
    pub copying: Duration,
}

/// Documents per batch handed to the index threads.
const BATCH: usize = 2048;

/// The kinds of search document, numbered as the document id encodes them (`v1.sql`:
/// artist `id * 4`, release `id * 4 + 1`, track `id * 4 + 2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Artist = 0,
    Release = 1,
    Track = 2,
}

/// The search documents of one kind, as the schema's triggers would have written them row by
/// row, in id order.
const fn documents_sql(kind: Kind) -> &'static str {
    match kind {
        Kind::Artist => "SELECT id * 4, name || ' ' || sort_name FROM artists ORDER BY id",
        Kind::Release => {
            "SELECT release_id * 4 + 1, body FROM release_search_body ORDER BY release_id"
        }
        Kind::Track => {
            "SELECT id * 4 + 2, title || coalesce(' ' || isrc, '') FROM tracks ORDER BY id"
        }
    }
}

/// Connection settings for a bulk load, set by [`BulkSettings::apply`] before its transaction
/// (they cannot change inside one) and put back by [`BulkSettings::restore`] after it, whatever
/// its outcome:
///
/// - a 256 MiB page cache, so a million-track catalog's tables and indexes are built without
///   spilling half-written pages;
/// - no foreign-key lookups row by row: the caller makes every reference by construction or
///   checks them all once with `PRAGMA foreign_key_check` before committing;
/// - a rollback journal instead of the write-ahead log when this connection is the only one
///   to the file (the switch is refused otherwise, and the load then keeps the log). Loading
///   into an empty catalog then writes every new page once, into the file itself, instead of
///   into the log and then again into the file; the journal only holds the few pages that
///   existed before, so a crash or a rollback still leaves the catalog as it was. Meanwhile
///   another program cannot open the file (it could not use the log); the next
///   [`super::Catalog::open`] and [`BulkSettings::restore`] switch back to the log.
#[derive(Debug)]
#[must_use = "restore the connection's settings after the load"]
pub struct BulkSettings {
    cache_size: i64,
    foreign_keys: bool,
    /// True when the write-ahead log was switched off for the load.
    left_wal: bool,
}

/// `PRAGMA cache_size` during a bulk load (negative: KiB), 256 MiB.
const BULK_CACHE_KIB: i64 = -262_144;

impl BulkSettings {
    /// Applies the bulk-load settings to `conn` (outside any transaction).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn apply(conn: &Connection) -> Result<Self> {
        let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        let mut left_wal = false;
        if journal.eq_ignore_ascii_case("wal") {
            // Refused at once when another connection has the file open; without this the
            // busy handler would first wait its whole timeout.
            let busy_ms: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
            conn.pragma_update(None, "busy_timeout", 0)?;
            left_wal = conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("delete"));
            conn.pragma_update(None, "busy_timeout", busy_ms)?;
        }
        let settings = Self {
            cache_size,
            foreign_keys,
            left_wal,
        };
        conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        conn.pragma_update(None, "foreign_keys", false)?;
        Ok(settings)
    }

    /// Puts back the settings [`BulkSettings::apply`] found (outside any transaction).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore(self, conn: &Connection) -> Result<()> {
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        if self.left_wal {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        Ok(())
    }
}

type Batch = Arc<Vec<(i64, String)>>;

/// What the loader tells an index thread.
enum Message {
    /// Documents to index.
    Documents(Batch),
    /// The rows are written: write what is held in memory out as a segment now, while the
    /// loader builds the tables' indexes, rather than at the very end.
    Flush,
}

/// One index thread: it creates its index in a private in-memory database and inserts every
/// batch it receives; when the channel closes it commits and hands the database back.
struct IndexThread {
    /// (index name, its `CREATE VIRTUAL TABLE` statement).
    indexes: Vec<(&'static str, String)>,
    sender: Option<Sender<Message>>,
    handle: Option<JoinHandle<rusqlite::Result<Connection>>>,
}

/// Shared between the loader and its index threads.
#[derive(Default)]
struct Shared {
    cancel: AtomicBool,
    /// Documents indexed, summed over the threads.
    indexed: AtomicU64,
}

impl IndexThread {
    fn spawn(
        indexes: Vec<(&'static str, String)>,
        thread_name: &str,
        shared: &Arc<Shared>,
    ) -> Result<Self> {
        let (sender, receiver) = channel::<Message>();
        let work = indexes.clone();
        let shared = Arc::clone(shared);
        let handle = std::thread::Builder::new()
            .name(thread_name.to_owned())
            .spawn(move || build_indexes(&work, &receiver, &shared))
            .map_err(|source| DbError::Io {
                path: format!("the {thread_name} thread"),
                source,
            })?;
        Ok(Self {
            indexes,
            sender: Some(sender),
            handle: Some(handle),
        })
    }

    fn send(&self, message: Message) {
        if let Some(sender) = &self.sender {
            // A thread that stopped (an error) is reported by `finish`.
            let _ = sender.send(message);
        }
    }

    /// Closes the channel and waits for the thread's database.
    fn finish(&mut self) -> Result<Connection> {
        self.sender = None;
        let handle = self.handle.take().ok_or_else(lost)?;
        match handle.join() {
            Ok(built) => Ok(built?),
            Err(_) => Err(lost()),
        }
    }
}

impl Drop for IndexThread {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn lost() -> DbError {
    DbError::IndexThread("the thread building it stopped unexpectedly".to_owned())
}

/// The body of an index thread.
fn build_indexes(
    indexes: &[(&str, String)],
    receiver: &Receiver<Message>,
    shared: &Shared,
) -> rusqlite::Result<Connection> {
    let conn = Connection::open_in_memory()?;
    for (index, create_sql) in indexes {
        conn.execute_batch(create_sql)?;
        conn.execute_batch(&format!(
            "INSERT INTO {index} ({index}, rank) VALUES ('hashsize', {BULK_FTS_HASHSIZE});"
        ))?;
    }
    conn.execute_batch("BEGIN")?;
    {
        // One row per statement: FTS5 writes out its in-memory terms at every savepoint, and
        // a statement inserting several rows opens one (64 rows a statement took 3x longer).
        let mut inserts = indexes
            .iter()
            .map(|(index, _)| {
                conn.prepare(&format!(
                    "INSERT INTO {index} (rowid, body) VALUES (?1, ?2)"
                ))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        while let Ok(message) = receiver.recv() {
            if shared.cancel.load(Ordering::Relaxed) {
                break;
            }
            match message {
                Message::Documents(batch) => {
                    for insert in &mut inserts {
                        for (id, body) in batch.iter() {
                            insert.execute((id, body))?;
                        }
                    }
                    shared
                        .indexed
                        .fetch_add((batch.len() * inserts.len()) as u64, Ordering::Relaxed);
                }
                Message::Flush => conn.execute_batch("COMMIT; BEGIN;")?,
            }
        }
    }
    // Writes the last segment; the database is private, nothing to keep durable.
    conn.execute_batch("COMMIT")?;
    Ok(conn)
}

/// Documents per `INSERT` statement into `search_docs`: one statement step for many rows
/// spares most of the per-statement work.
const ROWS_PER_INSERT: usize = 64;

/// Inserts `(id, body)` pairs into `target` (a table with its two column names),
/// [`ROWS_PER_INSERT`] rows per statement. Not for FTS5 indexes (see `build_indexes`).
fn insert_documents(
    conn: &Connection,
    target: &str,
    docs: &[&(i64, String)],
) -> rusqlite::Result<()> {
    let values = |rows: usize| vec!["(?, ?)"; rows].join(", ");
    let mut chunks = docs.chunks_exact(ROWS_PER_INSERT);
    if chunks.len() > 0 {
        let mut insert = conn.prepare_cached(&format!(
            "INSERT INTO {target} VALUES {}",
            values(ROWS_PER_INSERT)
        ))?;
        for chunk in chunks.by_ref() {
            for (i, (id, body)) in chunk.iter().enumerate() {
                insert.raw_bind_parameter(2 * i + 1, id)?;
                insert.raw_bind_parameter(2 * i + 2, body)?;
            }
            insert.raw_execute()?;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut insert = conn.prepare(&format!(
            "INSERT INTO {target} VALUES {}",
            values(rest.len())
        ))?;
        for (i, (id, body)) in rest.iter().enumerate() {
            insert.raw_bind_parameter(2 * i + 1, id)?;
            insert.raw_bind_parameter(2 * i + 2, body)?;
        }
        insert.raw_execute()?;
    }
    Ok(())
}

/// A bulk load into an empty catalog, inside the caller's one transaction: see the module
/// documentation for the steps.
pub struct BulkLoad {
    triggers: Vec<(String, String)>,
    /// (table, exact CREATE INDEX statement) of the dropped indexes.
    indexes: Vec<(String, String)>,
    threads: Vec<IndexThread>,
    shared: Arc<Shared>,
    /// The documents not yet handed to the threads.
    batch: Vec<(i64, String)>,
    /// Every batch handed over (the loader writes `search_docs` from them at the end).
    sent: Vec<Batch>,
    /// The highest document id handed over so far.
    last_sent: i64,
    /// Documents that arrived below `last_sent`: sorted and handed over at the end, so the
    /// threads see at most two runs of ascending ids (each run is one FTS5 segment).
    late: Vec<(i64, String)>,
    /// Which kinds the caller handed over (those are not read back with SQL).
    handed: [bool; 3],
}

impl std::fmt::Debug for BulkLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkLoad")
            .field("triggers", &self.triggers.len())
            .field("indexes", &self.indexes.len())
            .field("threads", &self.threads.len())
            .field("handed", &self.handed)
            .finish_non_exhaustive()
    }
}

impl BulkLoad {
    /// Drops the search triggers and the non-unique indexes of `tables`, and starts the index
    /// threads. `search_docs` must be empty (it is in a catalog being loaded from nothing).
    ///
    /// # Errors
    /// SQLite failures; a thread that cannot be started.
    pub fn begin(tx: &Transaction<'_>, tables: &[&str]) -> Result<Self> {
        let triggers = saved_schema(
            tx,
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
               AND (sql LIKE '%search_docs%' OR sql LIKE '%search_words%' OR sql LIKE '%search_trigram%')
             ORDER BY rowid",
            &[],
        )?;
        let mut indexes = Vec::new();
        for table in tables {
            for (name, sql) in saved_schema(
                tx,
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1
                   AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY rowid",
                &[table],
            )? {
                tx.execute_batch(&format!("DROP INDEX {}", quote_ident(&name)))?;
                indexes.push(((*table).to_owned(), sql));
            }
        }
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER {}", quote_ident(name)))?;
        }
        let shared = Arc::new(Shared::default());
        let mut threads = Vec::new();
        let mut pending = Vec::new();
        for (n, (index, thread_name)) in SEARCH_INDEXES.into_iter().enumerate() {
            let create_sql: String = tx.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [index],
                |r| r.get(0),
            )?;
            pending.push((index, create_sql));
            if INDEX_THREADS > 1 || n + 1 == SEARCH_INDEXES.len() {
                threads.push(IndexThread::spawn(
                    std::mem::take(&mut pending),
                    thread_name,
                    &shared,
                )?);
            }
        }
        Ok(Self {
            triggers,
            indexes,
            threads,
            shared,
            batch: Vec::with_capacity(BATCH),
            sent: Vec::new(),
            last_sent: i64::MIN,
            late: Vec::new(),
            handed: [false; 3],
        })
    }

    /// Hands over the search document of an artist just written. Hand over every artist of
    /// the load or none (then [`BulkLoad::build_search`] reads them back with SQL).
    pub fn add_artist(&mut self, id: i64, name: &str, sort_name: &str) {
        let mut body = String::with_capacity(name.len() + 1 + sort_name.len());
        body.push_str(name);
        body.push(' ');
        body.push_str(sort_name);
        self.add(Kind::Artist, id, body);
    }

    /// Hands over the search document of a track just written; every track or none, as for
    /// [`BulkLoad::add_artist`].
    pub fn add_track(&mut self, id: i64, title: &str, isrc: Option<&str>) {
        let mut body = String::with_capacity(title.len() + 13);
        body.push_str(title);
        if let Some(isrc) = isrc {
            body.push(' ');
            body.push_str(isrc);
        }
        self.add(Kind::Track, id, body);
    }

    fn add(&mut self, kind: Kind, id: i64, body: String) {
        self.handed[kind as usize] = true;
        let doc = id.saturating_mul(4).saturating_add(kind as i64);
        if doc > self.last_sent {
            self.last_sent = doc;
            self.batch.push((doc, body));
            if self.batch.len() >= BATCH {
                self.flush();
            }
        } else {
            self.late.push((doc, body));
        }
    }

    /// Tells the index threads to write out what they hold once they have indexed everything
    /// handed over so far: call it when a run of documents is complete and the rows still
    /// take a while (an import that handed over every track before writing them), so that
    /// work is done while the rows go in rather than after.
    pub fn write_out(&mut self) {
        self.flush();
        for thread in &self.threads {
            thread.send(Message::Flush);
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = Arc::new(std::mem::replace(
            &mut self.batch,
            Vec::with_capacity(BATCH),
        ));
        for thread in &self.threads {
            thread.send(Message::Documents(Arc::clone(&batch)));
        }
        self.sent.push(batch);
    }

    /// Call once the rows are written: re-creates the dropped indexes (each built once from
    /// the loaded rows) and hands the index threads the rest of the documents, so they finish
    /// meanwhile. The index threads first write out what they hold; the indexes of
    /// `catalog_numbers` and `formats` are built first, then the release documents are read
    /// (the schema's `release_search_body` looks them up by release) together with any kind
    /// the caller did not hand over; then the other indexes.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore_indexes(&mut self, tx: &Transaction<'_>) -> Result<()> {
        self.write_out();
        let looked_up = |table: &str| table == "catalog_numbers" || table == "formats";
        for (table, sql) in &self.indexes {
            if looked_up(table) {
                tx.execute_batch(sql)?;
            }
        }
        self.hand_over_the_rest(tx)?;
        for (table, sql) in &self.indexes {
            if !looked_up(table) {
                tx.execute_batch(sql)?;
            }
        }
        Ok(())
    }

    /// Reads the documents the caller did not hand over (always the releases'), hands them
    /// and the late ones over as one more ascending run, and closes the threads' channels.
    fn hand_over_the_rest(&mut self, tx: &Transaction<'_>) -> Result<()> {
        for kind in [Kind::Artist, Kind::Release, Kind::Track] {
            if self.handed[kind as usize] {
                continue;
            }
            let mut stmt = tx.prepare(documents_sql(kind))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                self.late.push((row.get(0)?, row.get(1)?));
            }
        }
        let mut late = std::mem::take(&mut self.late);
        late.sort_unstable_by_key(|(id, _)| *id);
        for chunk in late.chunks(BATCH) {
            let batch: Batch = Arc::new(chunk.to_vec());
            for thread in &self.threads {
                thread.send(Message::Documents(Arc::clone(&batch)));
            }
            self.sent.push(batch);
        }
        for thread in &mut self.threads {
            thread.sender = None;
        }
        Ok(())
    }

    /// Finishes the search index (after [`BulkLoad::restore_indexes`]): writes every document
    /// into `search_docs`, waits for the index threads
    /// (reporting their progress through `control`'s done count, from `done_from` to
    /// `done_to`) and copies their indexes into the catalog. Returns what it did, or `None`
    /// when `control` was cancelled meanwhile (the caller rolls back).
    ///
    /// # Errors
    /// SQLite failures, in the catalog or in an index thread.
    pub fn build_search(
        &mut self,
        tx: &Transaction<'_>,
        control: &JobControl,
        done_from: u64,
        done_to: u64,
    ) -> Result<Option<SearchBuilt>> {
        let started = Instant::now();
        if control.is_cancelled() {
            self.shared.cancel.store(true, Ordering::Relaxed);
            return Ok(None);
        }
        // search_docs, in id order (appending to its table), while the threads index.
        let mut docs: Vec<&(i64, String)> = self.sent.iter().flat_map(|b| b.iter()).collect();
        docs.sort_unstable_by_key(|(id, _)| *id);
        insert_documents(tx, "search_docs (id, body)", &docs)?;
        let total = docs.len() as u64;
        drop(docs);
        let writing_documents = started.elapsed();

        // Wait for the threads, showing their progress.
        let expected = total * SEARCH_INDEXES.len() as u64;
        let span = done_to.saturating_sub(done_from);
        while self
            .threads
            .iter()
            .any(|t| t.handle.as_ref().is_some_and(|h| !h.is_finished()))
        {
            if control.is_cancelled() {
                self.shared.cancel.store(true, Ordering::Relaxed);
                return Ok(None);
            }
            let indexed = self.shared.indexed.load(Ordering::Relaxed).min(expected);
            control.set_done(done_from + span * indexed / expected.max(1));
            std::thread::sleep(Duration::from_millis(10));
        }
        let waiting = started.elapsed().saturating_sub(writing_documents);
        self.sent.clear();
        for thread in &mut self.threads {
            let built = thread.finish()?;
            for (index, create_sql) in &thread.indexes {
                install(tx, index, create_sql, &built)?;
            }
        }
        control.set_done(done_to);
        Ok(Some(SearchBuilt {
            documents: total,
            writing_documents,
            waiting,
            copying: started
                .elapsed()
                .saturating_sub(writing_documents)
                .saturating_sub(waiting),
        }))
    }

    /// Re-creates the search triggers: from here on every change keeps the index up to date.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn restore_triggers(self, tx: &Transaction<'_>) -> Result<()> {
        for (_, sql) in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        // An abandoned load (error, cancel): the threads stop after their current batch.
        self.shared.cancel.store(true, Ordering::Relaxed);
    }
}

/// Replaces the catalog's (empty) FTS5 index `index` with the one `built` holds.
///
/// The virtual table is dropped and created again from its own statement first: FTS5 caches
/// an index's structure per connection and only re-reads it when another connection writes,
/// so a copy under a table this connection had already read would leave it a stale picture.
/// A new table starts with none.
fn install(tx: &Transaction<'_>, index: &str, create_sql: &str, built: &Connection) -> Result<()> {
    tx.execute_batch(&format!("DROP TABLE {}; {create_sql};", quote_ident(index)))?;
    let shadows: Vec<String> = built
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?1 ESCAPE '\\'
               AND name <> ?2 ORDER BY name",
        )?
        .query_map(
            (
                format!("{}\\_%", index.replace('_', "\\_")),
                format!("{index}_config"),
            ),
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for shadow in shadows {
        let columns: Vec<String> = built
            .prepare(&format!("PRAGMA table_info({})", quote_ident(&shadow)))?
            .query_map([], |r| r.get(1))?
            .collect::<rusqlite::Result<_>>()?;
        let list = columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let name = quote_ident(&shadow);
        tx.execute(&format!("DELETE FROM {name}"), [])?;
        let mut insert = tx.prepare(&format!(
            "INSERT INTO {name} ({list}) VALUES ({})",
            vec!["?"; columns.len()].join(", ")
        ))?;
        let mut select = built.prepare(&format!("SELECT {list} FROM {name}"))?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            // Bound straight from the thread's row (no copy of the segment pages).
            for i in 0..columns.len() {
                insert.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(row.get_ref(i)?))?;
            }
            insert.raw_execute()?;
        }
    }
    Ok(())
}

/// (name, exact CREATE statement) of schema objects, in creation order.
fn saved_schema(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// `"name"` quoted as an SQL identifier.
#[must_use]
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Catalog;
    use crate::db::search::{self, HitKind};

    /// Both indexes agree with `search_docs` (FTS5's own check against the content table).
    fn integrity(conn: &Connection) {
        for (index, _) in SEARCH_INDEXES {
            conn.execute(
                &format!("INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)"),
                [],
            )
            .unwrap_or_else(|e| panic!("{index}: {e}"));
        }
    }

    fn kinds_found(conn: &Connection, text: &str) -> Vec<(HitKind, i64)> {
        let mut found: Vec<_> = search::search(conn, text, 50)
            .expect("search")
            .into_iter()
            .map(|h| (h.kind, h.id))
            .collect();
        found.sort_unstable();
        found
    }

    /// Loads 3 artists, 2 releases (catalog numbers, one barcode) and 4 tracks, tracks handed
    /// over out of id order; artists handed over or left to SQL.
    fn load(
        catalog: &mut Catalog,
        hand_artists: bool,
        control: &JobControl,
    ) -> Result<Option<SearchBuilt>> {
        let tx = catalog.transaction()?;
        let mut bulk = BulkLoad::begin(&tx, &["artists", "releases", "tracks"])?;
        for (id, name, sort) in [
            (1, "Zumbi Nação", "Nação Zumbi"),
            (2, "Ana Frango", "Frango, Ana"),
            (3, "Kiko Dinucci", "Dinucci, Kiko"),
        ] {
            tx.execute(
                "INSERT INTO artists (id, name, sort_name) VALUES (?1, ?2, ?3)",
                (id, name, sort),
            )?;
            if hand_artists {
                bulk.add_artist(id, name, sort);
            }
        }
        tx.execute_batch(
            "INSERT INTO releases (id, title) VALUES (1, 'Afrociberdelia'), (2, 'Coisas Sublimes');
             INSERT INTO catalog_numbers (release_id, catno) VALUES (1, 'CHAOS-001'), (2, 'SK-002');
             INSERT INTO formats (release_id, kind, barcode) VALUES (1, 'cd', '036000291452');",
        )?;
        for (id, release, title, isrc) in [
            (10, 1, "Manguetown", Some("BRBMG9600001")),
            (11, 1, "Maracatu Atômico", None),
            (3, 2, "Tuas Palavras", Some("BRBMG1800002")),
            (4, 2, "Coisas Sublimes", None),
        ] {
            tx.execute(
                "INSERT INTO tracks (id, release_id, seq, title, isrc) VALUES (?1, ?2, ?1, ?3, ?4)",
                (id, release, title, isrc),
            )?;
            bulk.add_track(id, title, isrc);
        }
        bulk.restore_indexes(&tx)?;
        let built = bulk.build_search(&tx, control, 0, 100)?;
        if built.is_some() {
            bulk.restore_triggers(&tx)?;
            tx.commit()?;
        }
        Ok(built)
    }

    #[test]
    fn the_built_index_finds_every_kind_and_the_triggers_carry_on() {
        for hand_artists in [true, false] {
            let mut catalog = Catalog::open_in_memory().expect("catalog");
            // This connection has read both (empty) indexes: FTS5 now caches their structure.
            assert!(kinds_found(catalog.conn(), "mangue").is_empty());
            assert_eq!(
                load(&mut catalog, hand_artists, &JobControl::default())
                    .expect("load")
                    .map(|b| b.documents),
                Some(9)
            );
            let conn = catalog.conn();
            integrity(conn);
            // The documents are exactly the ones SQL writes.
            let from_sql: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM ({} UNION ALL {} UNION ALL {} EXCEPT SELECT id, body FROM search_docs)",
                        documents_sql(Kind::Artist).replace(" ORDER BY id", ""),
                        documents_sql(Kind::Release).replace(" ORDER BY release_id", ""),
                        documents_sql(Kind::Track).replace(" ORDER BY id", "")
                    ),
                    [],
                    |r| r.get(0),
                )
                .expect("compare");
            assert_eq!(from_sql, 0);
            assert_eq!(kinds_found(conn, "mangue"), vec![(HitKind::Track, 10)]);
            assert_eq!(
                kinds_found(conn, "atomico"),
                vec![(HitKind::Track, 11)],
                "diacritics folded"
            );
            assert_eq!(kinds_found(conn, "nação"), vec![(HitKind::Artist, 1)]);
            assert_eq!(
                kinds_found(conn, "inucc"),
                vec![(HitKind::Artist, 3)],
                "substring"
            );
            assert_eq!(
                kinds_found(conn, "sk-002"),
                vec![(HitKind::Release, 2)],
                "catalog number"
            );
            assert_eq!(
                kinds_found(conn, "0036000291452"),
                vec![(HitKind::Release, 1)],
                "barcode as EAN-13"
            );
            assert_eq!(
                kinds_found(conn, "BRBMG1800002"),
                vec![(HitKind::Track, 3)],
                "ISRC"
            );
            assert_eq!(
                kinds_found(conn, "sublimes"),
                vec![(HitKind::Release, 2), (HitKind::Track, 4)]
            );

            // Edits after the load go through the restored triggers into the same index.
            catalog
                .write(|tx| {
                    tx.execute_batch(
                        "INSERT INTO tracks (id, release_id, seq, title) VALUES (12, 1, 12, 'Mangue Bit');
                         UPDATE tracks SET title = 'Rios, Pontes e Overdrives' WHERE id = 10;
                         DELETE FROM tracks WHERE id = 4;",
                    )?;
                    Ok(())
                })
                .expect("edit");
            let conn = catalog.conn();
            integrity(conn);
            assert_eq!(kinds_found(conn, "mangue"), vec![(HitKind::Track, 12)]);
            assert_eq!(kinds_found(conn, "overdrives"), vec![(HitKind::Track, 10)]);
            assert_eq!(kinds_found(conn, "sublimes"), vec![(HitKind::Release, 2)]);
        }
    }

    #[test]
    fn a_cancel_while_the_index_is_built_leaves_the_catalog_as_it_was() {
        let mut catalog = Catalog::open_in_memory().expect("catalog");
        let control = JobControl::default();
        control.cancel();
        assert_eq!(load(&mut catalog, true, &control).expect("load"), None);
        let conn = catalog.conn();
        let rows: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM artists) + (SELECT count(*) FROM search_docs)",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(rows, 0);
        let triggers: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%search_docs%'", [], |r| r.get(0))
            .expect("count");
        assert!(
            triggers > 0,
            "the dropped triggers are back after the rollback"
        );
        integrity(conn);
        // The catalog takes a load afterwards as if nothing happened.
        assert_eq!(
            load(&mut catalog, true, &JobControl::default())
                .expect("load")
                .map(|b| b.documents),
            Some(9)
        );
        integrity(catalog.conn());
    }
}
