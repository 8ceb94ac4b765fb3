"""Podcast feed crawler worker.

Started by a systemd timer every ten minutes as `python -m crawler.feed_crawler`;
fetches the feeds that are due and records what changed. Uses asyncpg for the
database and a single aiohttp session for the whole run.
"""

import asyncio
import logging
import os
from datetime import datetime, timezone

import aiohttp
import asyncpg
import feedparser

log = logging.getLogger("crawler")

DUE_FEEDS = """
    SELECT id, url, etag
    FROM feeds
    WHERE active AND next_fetch_at <= now()
    ORDER BY next_fetch_at
    LIMIT 500
"""
FEED_STATUS = "UPDATE feeds SET last_status = $1, etag = $2, next_fetch_at = now() + interval '1 hour' WHERE id = $3"
EPISODE_EXISTS = "SELECT 1 FROM episodes WHERE feed_id = $1 AND guid = $2"
INSERT_EPISODE = "INSERT INTO episodes (feed_id, guid, title, published_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
HUB_URL = "https://pubsub.example.org/hub"


async def crawl_once(pool: asyncpg.Pool, http: aiohttp.ClientSession) -> list[tuple[int, str, str]]:
    changed = []
    async with pool.acquire() as conn:
        async with conn.transaction():
            async for feed in conn.cursor(DUE_FEEDS):  # snag-ok: n-plus-one
                headers = {"If-None-Match": feed["etag"]} if feed["etag"] else {}
                async with http.get(feed["url"], headers=headers) as resp:  # snag-expect: n-plus-one
                    body = await resp.text() if resp.status == 200 else ""
                    etag = resp.headers.get("ETag", feed["etag"])
                await conn.execute(FEED_STATUS, resp.status, etag, feed["id"])  # snag-expect: n-plus-one
                if body:
                    changed.append((feed["id"], feed["url"], body))
    return changed


async def store_episodes(pool: asyncpg.Pool, changed: list[tuple[int, str, str]]) -> None:
    async with pool.acquire() as conn:
        for feed_id, _url, body in changed:
            for item in parse_items(body):
                seen = await conn.fetchval(EPISODE_EXISTS, feed_id, item["guid"])  # snag-expect: n-plus-one
                if not seen:
                    await conn.execute(INSERT_EPISODE, feed_id, item["guid"], item["title"], item["published"])  # snag-expect: n-plus-one


async def store_episodes_batched(pool: asyncpg.Pool, changed: list[tuple[int, str, str]]) -> None:
    rows = [
        (feed_id, item["guid"], item["title"], item["published"])
        for feed_id, _url, body in changed
        for item in parse_items(body)
    ]
    async with pool.acquire() as conn:
        await conn.executemany(INSERT_EPISODE, rows)  # snag-ok: n-plus-one


async def ping_hub(http: aiohttp.ClientSession, feed_urls: list[str]) -> None:
    """Tell the WebSub hub about every feed that changed in this run."""
    for url in feed_urls:
        resp = await http.post(HUB_URL, data={"hub.mode": "publish", "hub.url": url})  # snag-expect: n-plus-one
        resp.release()


async def fetch_opml(http: aiohttp.ClientSession, url: str) -> str:
    """Directory OPML export; the directory is flaky, so try a few times."""
    delay = 1.0
    for attempt in range(5):
        try:
            async with http.get(url) as resp:  # snag-ok: n-plus-one
                resp.raise_for_status()
                return await resp.text()
        except aiohttp.ClientError as exc:
            log.warning("OPML fetch failed (attempt %d): %s", attempt + 1, exc)
            await asyncio.sleep(delay)
            delay *= 2
    raise RuntimeError(f"could not fetch {url}")


async def prune_dead_feeds(pool: asyncpg.Pool, dead_ids: list[int]) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE feeds SET active = false WHERE id = ANY($1::bigint[])", dead_ids)  # snag-ok: n-plus-one
        for feed_id in dead_ids:
            log.info("deactivated feed %d", feed_id)


async def status_report(pool: asyncpg.Pool) -> dict[str, int]:
    counts = {}
    async with pool.acquire() as conn:
        for status in (200, 304, 404):
            counts[str(status)] = await conn.fetchval("SELECT count(id) FROM feeds WHERE last_status = $1", status)  # snag-ok: n-plus-one
    return counts


def parse_items(body: str) -> list[dict]:
    parsed = feedparser.parse(body)
    return [
        {
            "guid": entry.get("id") or entry.get("link"),
            "title": entry.get("title", ""),
            "published": datetime(*entry.published_parsed[:6], tzinfo=timezone.utc) if entry.get("published_parsed") else None,
        }
        for entry in parsed.entries
    ]


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        changed = await crawl_once(pool, http)
        await store_episodes_batched(pool, changed)
        await ping_hub(http, [url for _, url, _ in changed])
    log.info("crawled feeds, %d changed", len(changed))
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
