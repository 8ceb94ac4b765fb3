"""Celery tasks for the video pipeline: transcode, posters, CDN sync, cleanup."""

import logging
import os
import subprocess

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

PRESETS = ("ultrafast", "fast", "medium", "slow")


@shared_task(bind=True, max_retries=3, acks_late=True)
def transcode_video(self, video_id: int, source_path: str, preset: str = "medium"):
    out_dir = f"{settings.MEDIA_ROOT}/videos/{video_id}"
    cmd = f"ffmpeg -y -i {source_path} -c:v libx264 -preset {preset} -vf scale=-2:720 {out_dir}/720p.mp4"
    try:
        subprocess.run(cmd, shell=True, check=True, timeout=3600)  # snag-expect: command-injection
    except subprocess.CalledProcessError as exc:
        raise self.retry(exc=exc, countdown=60)


@shared_task
def extract_poster(video_id: int, source_path: str):
    poster = os.path.join(settings.MEDIA_ROOT, "videos", str(video_id), "poster.jpg")
    subprocess.run(  # snag-ok: command-injection
        ["ffmpeg", "-y", "-ss", "3", "-i", source_path, "-frames:v", "1", poster],
        check=True,
        timeout=120,
    )
    return poster


@shared_task
def purge_renditions(video_id: int):
    os.system(f"rm -rf {settings.MEDIA_ROOT}/videos/{video_id}/renditions")  # snag-ok: command-injection


@shared_task
def sync_to_cdn(prefix: str):
    logger.info("syncing %s to the CDN bucket", prefix)
    os.system("aws s3 sync %s/videos/%s s3://%s/videos/%s --delete" % (settings.MEDIA_ROOT, prefix, settings.CDN_BUCKET, prefix))  # snag-expect: command-injection


@shared_task
def rebuild_hls(video_id: int, preset: str = "fast"):
    if preset not in PRESETS:
        preset = "fast"
    segment_dir = f"{settings.MEDIA_ROOT}/videos/{video_id}/hls"
    subprocess.call(f"ffmpeg -y -i {segment_dir}/../720p.mp4 -preset {preset} -f hls {segment_dir}/index.m3u8", shell=True)  # snag-ok: command-injection


@shared_task
def nightly_cleanup():
    subprocess.call(f"find {settings.MEDIA_ROOT}/tmp -type f -mtime +2 -delete", shell=True)  # snag-ok: command-injection
