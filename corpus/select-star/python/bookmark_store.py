"""SQLite-backed storage for the `marks` command-line bookmark manager."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookmarks (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL UNIQUE,
    title       TEXT,
    notes       TEXT,
    archived    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS tags (
    bookmark_id INTEGER NOT NULL REFERENCES bookmarks(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (bookmark_id, name)
);
"""

DEFAULT_DB = Path.home() / ".local" / "share" / "marks" / "marks.db"


@dataclass
class Bookmark:
    id: int
    url: str
    title: Optional[str]
    notes: Optional[str]
    archived: bool
    created_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Bookmark":
        return cls(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            notes=row["notes"],
            archived=bool(row["archived"]),
            created_at=row["created_at"],
        )


class BookmarkStore:
    """Thin repository over a single SQLite file."""

    def __init__(self, path: Path = DEFAULT_DB) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def add(self, url: str, title: Optional[str] = None) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO bookmarks (url, title) VALUES (?, ?) ON CONFLICT(url) DO NOTHING",
                (url, title),
            )
        return cur.lastrowid

    def get(self, bookmark_id: int) -> Optional[Bookmark]:
        row = self.conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone()  # snag-expect: select-star
        return Bookmark.from_row(row) if row else None

    def list(self, tag: Optional[str] = None, include_archived: bool = False) -> list[Bookmark]:
        sql = "SELECT * FROM bookmarks WHERE 1 = 1"  # snag-expect: select-star
        params: list[str] = []
        if tag is not None:
            sql += " AND id IN (SELECT bookmark_id FROM tags WHERE name = ?)"
            params.append(tag)
        if not include_archived:
            sql += " AND archived = 0"
        sql += " ORDER BY created_at DESC"
        return [Bookmark.from_row(r) for r in self.conn.execute(sql, params).fetchall()]

    def tagged_with(self, tag: str) -> list[Bookmark]:
        rows = self.conn.execute(
            "SELECT b.* FROM bookmarks b JOIN tags t ON t.bookmark_id = b.id WHERE t.name = ? ORDER BY b.title",  # snag-expect: select-star
            (tag,),
        ).fetchall()
        return [Bookmark.from_row(r) for r in rows]

    def count(self, include_archived: bool = False) -> int:
        if include_archived:
            sql = "SELECT count(*) FROM bookmarks"  # snag-ok: select-star
        else:
            sql = "SELECT COUNT(*) FROM bookmarks WHERE archived = 0"  # snag-ok: select-star
        return self.conn.execute(sql).fetchone()[0]

    def local_files(self) -> list[tuple[int, str]]:
        return self.conn.execute(
            "SELECT id, url FROM bookmarks WHERE url GLOB 'file://*' ORDER BY url"  # snag-ok: select-star
        ).fetchall()

    def is_tagged(self, bookmark_id: int) -> bool:
        row = self.conn.execute(
            "SELECT EXISTS (SELECT * FROM tags WHERE bookmark_id = ?)", (bookmark_id,)  # snag-ok: select-star
        ).fetchone()
        return bool(row[0])

    def export(self) -> Iterator[dict]:
        """Yield every bookmark as a dict, oldest first (used by `marks export --json`)."""
        for row in self.conn.execute("SELECT * FROM bookmarks ORDER BY id"):  # snag-expect: select-star
            yield dict(row)
