"""Video transcoding worker.

Pops jobs from the `transcode` Redis list and runs up to MAX_PARALLEL ffmpeg
jobs at a time on this host, reporting progress back to Redis so the web app
can show it. Deployed as `python -m media.transcode_worker`, one per GPU box.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis

log = logging.getLogger("transcode")

MAX_PARALLEL = int(os.environ.get("TRANSCODE_PARALLEL", "3"))
SCRATCH = Path(os.environ.get("SCRATCH_DIR", "/scratch/transcode"))
PRESETS = {"720p": ["-vf", "scale=-2:720", "-b:v", "2500k"], "1080p": ["-vf", "scale=-2:1080", "-b:v", "5000k"]}


@dataclass
class Job:
    id: str
    source: str
    preset: str


class Backoff:
    def __init__(self, base: float = 0.5, ceiling: float = 30.0) -> None:
        self.delay = base
        self.base = base
        self.ceiling = ceiling

    async def sleep(self) -> None:
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.ceiling)

    def reset(self) -> None:
        self.delay = self.base


def probe_duration(source: str) -> float:
    out = subprocess.check_output(  # snag-ok: blocking-in-async
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", source],
        text=True,
    )
    return float(out.strip() or 0)


async def transcode(job: Job, r: aioredis.Redis) -> Path:
    target = SCRATCH / f"{job.id}-{job.preset}.mp4"
    duration = await asyncio.to_thread(probe_duration, job.source)
    await r.hset(f"transcode:{job.id}", mapping={"state": "running", "duration": duration})
    proc = await asyncio.create_subprocess_exec(  # snag-ok: blocking-in-async
        "ffmpeg", "-y", "-i", job.source, *PRESETS[job.preset], str(target),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed for {job.id}: {stderr.decode(errors='replace')[-500:]}")
    return target


async def make_poster(job: Job, video: Path) -> Path:
    poster = video.with_suffix(".jpg")
    subprocess.run(  # snag-expect: blocking-in-async
        ["ffmpeg", "-y", "-ss", "3", "-i", str(video), "-frames:v", "1", str(poster)],
        check=True,
        capture_output=True,
    )
    return poster


async def stream_info(video: Path) -> dict:
    args = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "json"]
    out = subprocess.check_output([*args, str(video)], text=True)  # snag-expect: blocking-in-async
    return json.loads(out)["streams"][0]


async def publish(job: Job, video: Path, r: aioredis.Redis) -> None:
    def upload() -> None:
        subprocess.run(["rclone", "copyto", str(video), f"media:renditions/{video.name}"], check=True)  # snag-ok: blocking-in-async

    await asyncio.to_thread(upload)
    await asyncio.to_thread(subprocess.run, ["rclone", "delete", f"media:incoming/{job.id}"], check=True)  # snag-ok: blocking-in-async
    await r.hset(f"transcode:{job.id}", "state", "done")


async def run_job(job: Job, r: aioredis.Redis, slots: asyncio.Semaphore) -> None:
    async with slots:
        try:
            video = await transcode(job, r)
            await make_poster(job, video)
            info = await stream_info(video)
            await r.hset(f"transcode:{job.id}", mapping={"width": info["width"], "height": info["height"]})
            await publish(job, video, r)
        except Exception:
            log.exception("job %s failed", job.id)
            await r.hset(f"transcode:{job.id}", "state", "failed")
            time.sleep(2)  # snag-expect: blocking-in-async


async def consume(r: aioredis.Redis) -> None:
    slots = asyncio.Semaphore(MAX_PARALLEL)
    backoff = Backoff()
    while True:
        item = await r.blpop("transcode", timeout=5)
        if item is None:
            await backoff.sleep()  # snag-ok: blocking-in-async
            continue
        backoff.reset()
        asyncio.create_task(run_job(Job(**json.loads(item[1])), r, slots))


async def main() -> None:
    # Startup, before any job is taken: read once, then hand over to the consumer.
    settings = json.loads(Path(os.environ.get("WORKER_CONFIG", "/etc/transcode/worker.json")).read_text())  # snag-ok: blocking-in-async
    r = aioredis.from_url(settings["redis_url"], decode_responses=True)
    await consume(r)


if __name__ == "__main__":
    SCRATCH.mkdir(parents=True, exist_ok=True)
    asyncio.run(main())
