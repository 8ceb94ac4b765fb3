//! SQLite storage for the `jot` command-line notes tool.

use std::path::Path;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS notes (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    path        TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS note_tags (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (note_id, tag)
);
";

pub const USAGE: &str = "jot dump    print every note, like SELECT * FROM notes"; // snag-ok: select-star

#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub path: String,
    pub updated_at: String,
}

impl Note {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            title: row.get("title")?,
            body: row.get("body")?,
            path: row.get("path")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

pub struct NoteStore {
    conn: Connection,
}

impl NoteStore {
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    pub fn add(&self, title: &str, body: &str, path: &str) -> rusqlite::Result<i64> {
        self.conn.execute(
            "INSERT INTO notes (title, body, path) VALUES (?1, ?2, ?3)",
            params![title, body, path],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn get(&self, id: i64) -> rusqlite::Result<Option<Note>> {
        self.conn
            .query_row("SELECT * FROM notes WHERE id = ?1", params![id], Note::from_row) // snag-expect: select-star
            .optional()
    }

    pub fn list(&self, tag: Option<&str>) -> rusqlite::Result<Vec<Note>> {
        let mut sql = String::from("SELECT * FROM notes"); // snag-expect: select-star
        if tag.is_some() {
            sql.push_str(" WHERE id IN (SELECT note_id FROM note_tags WHERE tag = ?1)");
        }
        sql.push_str(" ORDER BY updated_at DESC");
        let mut stmt = self.conn.prepare(&sql)?;
        let notes = stmt
            .query_map(params_from_iter(tag), Note::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(notes)
    }

    pub fn tagged(&self, tag: &str) -> rusqlite::Result<Vec<Note>> {
        let mut stmt = self.conn.prepare(
            "SELECT n.* FROM notes n JOIN note_tags t ON t.note_id = n.id WHERE t.tag = ?1 ORDER BY n.title", // snag-expect: select-star
        )?;
        let notes = stmt
            .query_map(params![tag], Note::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(notes)
    }

    pub fn count(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("SELECT count(*) FROM notes", [], |row| row.get(0)) // snag-ok: select-star
    }

    pub fn archived_titles(&self) -> rusqlite::Result<Vec<(i64, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, title FROM notes WHERE path GLOB 'archive/*' ORDER BY title")?; // snag-ok: select-star
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn untagged_count(&self) -> rusqlite::Result<i64> {
        self.conn.query_row(
            "SELECT count(*) FROM notes n WHERE NOT EXISTS (SELECT * FROM note_tags t WHERE t.note_id = n.id)", // snag-ok: select-star
            [],
            |row| row.get(0),
        )
    }
}
