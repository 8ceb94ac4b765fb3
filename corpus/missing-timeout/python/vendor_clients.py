"""Thin clients for the third-party APIs the release tooling talks to."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_TIMEOUT = (5, 30)


class TimeoutSession(requests.Session):
    """A Session that never sends a request without a timeout."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        super().__init__()
        self._timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


class TimeoutHTTPAdapter(HTTPAdapter):
    def __init__(self, *args, timeout=10, **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


@dataclass
class Release:
    tag: str
    name: str
    body: str
    draft: bool = False


class GitHubReleases:
    def __init__(self, repo: str, token: str | None = None):
        self.repo = repo
        self.session = TimeoutSession()
        self.session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token or os.environ['GITHUB_TOKEN']}",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )

    def latest(self) -> dict:
        response = self.session.get(f"https://api.github.com/repos/{self.repo}/releases/latest")  # snag-ok: missing-timeout
        response.raise_for_status()
        return response.json()

    def create(self, release: Release) -> dict:
        response = self.session.post(  # snag-ok: missing-timeout
            f"https://api.github.com/repos/{self.repo}/releases",
            json={"tag_name": release.tag, "name": release.name, "body": release.body, "draft": release.draft},
        )
        response.raise_for_status()
        return response.json()

    def upload_asset(self, upload_url: str, path: str) -> None:
        with open(path, "rb") as handle:
            response = self.session.post(  # snag-ok: missing-timeout
                upload_url.split("{")[0],
                params={"name": os.path.basename(path)},
                data=handle,
                headers={"Content-Type": "application/octet-stream"},
                timeout=600,
            )
        response.raise_for_status()


class StatusPage:
    """Posts incidents to statuspage.io while a release is rolling out."""

    def __init__(self, page_id: str, api_key: str):
        self.page_id = page_id
        self.session = requests.Session()
        retries = Retry(total=4, backoff_factor=0.5, status_forcelist=(502, 503, 504))
        # Retries only: a hung connection is never retried, it just hangs.
        self.session.mount("https://", HTTPAdapter(max_retries=retries))
        self.session.headers["Authorization"] = f"OAuth {api_key}"

    def open_incident(self, title: str, body: str) -> str:
        response = self.session.post(  # snag-expect: missing-timeout
            f"https://api.statuspage.io/v1/pages/{self.page_id}/incidents",
            json={"incident": {"name": title, "body": body, "status": "investigating"}},
        )
        response.raise_for_status()
        return response.json()["id"]

    def resolve(self, incident_id: str) -> None:
        self.session.patch(  # snag-expect: missing-timeout
            f"https://api.statuspage.io/v1/pages/{self.page_id}/incidents/{incident_id}",
            json={"incident": {"status": "resolved"}},
        ).raise_for_status()


class SentryReleases:
    def __init__(self, org: str, token: str):
        self.org = org
        self.session = requests.Session()
        self.session.mount("https://", TimeoutHTTPAdapter(timeout=8, max_retries=Retry(total=3)))
        self.session.headers["Authorization"] = f"Bearer {token}"

    def new_release(self, version: str, projects: list[str]) -> None:
        self.session.post(  # snag-ok: missing-timeout
            f"https://sentry.io/api/0/organizations/{self.org}/releases/",
            json={"version": version, "projects": projects},
        ).raise_for_status()

    def finalize(self, version: str) -> None:
        self.session.put(  # snag-ok: missing-timeout
            f"https://sentry.io/api/0/organizations/{self.org}/releases/{version}/",
            json={"dateReleased": "now"},
        ).raise_for_status()


class PagerDutyEvents:
    def __init__(self, routing_key: str):
        self.routing_key = routing_key
        self.session = requests.Session()
        # requests ignores a `timeout` attribute on a Session: this line changes nothing.
        self.session.timeout = 10

    def trigger(self, summary: str, source: str) -> None:
        self.session.post(  # snag-expect: missing-timeout
            "https://events.pagerduty.com/v2/enqueue",
            json={
                "routing_key": self.routing_key,
                "event_action": "trigger",
                "payload": {"summary": summary, "source": source, "severity": "warning"},
            },
        ).raise_for_status()


class HealthchecksPing:
    def __init__(self, check_uuid: str):
        self.url = f"https://hc-ping.com/{check_uuid}"
        self.session = requests.Session()
        self.session.request = functools.partial(self.session.request, timeout=5)

    def ping(self, suffix: str = "") -> None:
        self.session.get(self.url + suffix)  # snag-ok: missing-timeout
