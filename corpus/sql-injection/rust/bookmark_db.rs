//! SQLite persistence for the `linkpile` CLI.

use std::path::Path;

use rusqlite::{params, params_from_iter, Connection, Result, Row};

const TABLE: &str = "bookmarks";

#[derive(Debug)]
pub struct Bookmark {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub tag: Option<String>,
}

fn bookmark_from_row(row: &Row<'_>) -> Result<Bookmark> {
    Ok(Bookmark {
        id: row.get(0)?,
        url: row.get(1)?,
        title: row.get(2)?,
        tag: row.get(3)?,
    })
}

pub struct BookmarkDb {
    conn: Connection,
}

impl BookmarkDb {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS bookmarks (
                id INTEGER PRIMARY KEY,
                url TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                tag TEXT,
                added_at TEXT NOT NULL DEFAULT (datetime('now'))
            );",
        )?;
        Ok(Self { conn })
    }

    pub fn add(&self, url: &str, title: &str, tag: Option<&str>) -> Result<usize> {
        self.conn.execute(
            "INSERT INTO bookmarks (url, title, tag) VALUES (?1, ?2, ?3)",
            params![url, title, tag],
        )
    }

    pub fn delete_by_tag(&self, tag: &str) -> Result<usize> {
        self.conn.execute(&format!("DELETE FROM bookmarks WHERE tag = '{}'", tag), []) // snag-expect: sql-injection
    }

    pub fn search(&self, term: &str) -> Result<Vec<Bookmark>> {
        let mut stmt = self.conn.prepare(&format!( // snag-expect: sql-injection
            "SELECT id, url, title, tag FROM bookmarks WHERE title LIKE '%{}%' ORDER BY title",
            term
        ))?;
        let rows = stmt.query_map([], bookmark_from_row)?;
        rows.collect()
    }

    pub fn get_many(&self, ids: &[i64]) -> Result<Vec<Bookmark>> {
        let placeholders = vec!["?"; ids.len()].join(",");
        let sql = format!("SELECT id, url, title, tag FROM bookmarks WHERE id IN ({})", placeholders);
        let mut stmt = self.conn.prepare(&sql)?; // snag-ok: sql-injection
        let rows = stmt.query_map(params_from_iter(ids.iter()), bookmark_from_row)?;
        rows.collect()
    }

    pub fn recent(&self, limit: u32) -> Result<Vec<Bookmark>> {
        let sql = format!("SELECT id, url, title, tag FROM {} ORDER BY added_at DESC LIMIT {}", TABLE, limit);
        let mut stmt = self.conn.prepare(&sql)?; // snag-ok: sql-injection
        let rows = stmt.query_map([], bookmark_from_row)?;
        rows.collect()
    }

    pub fn count(&self) -> Result<i64> {
        self.conn.query_row(&format!("SELECT count(*) FROM {}", TABLE), [], |r| r.get(0)) // snag-ok: sql-injection
    }

    pub fn set_field(&self, id: i64, field: &str, value: &str) -> Result<usize> {
        let sql = format!("UPDATE bookmarks SET {} = ?1 WHERE id = ?2", field);
        self.conn.execute(&sql, params![value, id]) // snag-expect: sql-injection
    }

    pub fn title_of(&self, url: &str) -> Result<String> {
        self.conn.query_row(&("SELECT title FROM bookmarks WHERE url = '".to_owned() + url + "'"), [], |r| r.get(0)) // snag-expect: sql-injection
    }

    /// `linkpile prune <days>`: the argument arrives as a raw CLI string.
    pub fn prune_older_than(&self, days_arg: &str) -> anyhow::Result<usize> {
        let days = days_arg.parse::<i64>()?;
        let removed = self.conn.execute(&format!("DELETE FROM bookmarks WHERE added_at < datetime('now', '-{} days')", days), [])?; // snag-ok: sql-injection
        Ok(removed)
    }
}
