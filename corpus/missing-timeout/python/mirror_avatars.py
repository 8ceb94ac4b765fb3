#!/usr/bin/env python3
"""Copies user avatars from Gravatar into our bucket and records their URLs.

Usage: mirror_avatars.py --since 2024-01-01 [--dry-run]
"""

import argparse
import hashlib
import logging
import socket
import sys
import urllib.error
import urllib.request

import boto3
import requests

log = logging.getLogger("mirror_avatars")

# urllib (and anything else built on plain sockets) uses this as its default
# timeout. requests does not: it passes its own (absent) timeout down.
socket.setdefaulttimeout(20)

API = "https://internal-api.example/v1"
BUCKET = "acme-avatars"


def gravatar_url(email: str) -> str:
    digest = hashlib.md5(email.strip().lower().encode()).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?s=256&d=404"


def fetch_avatar(email: str) -> bytes | None:
    try:
        with urllib.request.urlopen(gravatar_url(email)) as resp:  # snag-ok: missing-timeout
            return resp.read()
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def users_since(token: str, since: str) -> list[dict]:
    users, cursor = [], None
    while True:
        response = requests.get(  # snag-expect: missing-pool, missing-timeout
            f"{API}/users",
            params={"created_after": since, "cursor": cursor, "limit": 500},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        page = response.json()
        users.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return users


def record_avatar(token: str, user_id: str, url: str) -> None:
    requests.patch(  # snag-expect: missing-timeout
        f"{API}/users/{user_id}",
        json={"avatar_url": url},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", required=True)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--token", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    token = args.token or requests.post(  # snag-ok: missing-timeout
        f"{API}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "users:write"},
        timeout=10,
    ).json()["access_token"]

    s3 = boto3.client("s3")
    mirrored = 0
    for user in users_since(token, args.since):
        image = fetch_avatar(user["email"])
        if image is None:
            continue
        key = f"avatars/{user['id']}.jpg"
        if not args.dry_run:
            s3.put_object(Bucket=BUCKET, Key=key, Body=image, ContentType="image/jpeg")
            record_avatar(token, user["id"], f"https://{BUCKET}.s3.amazonaws.com/{key}")
        mirrored += 1
    log.info("mirrored %d avatars", mirrored)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
