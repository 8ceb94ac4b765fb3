"""Management command: regenerate photo thumbnails after a size change.

    python manage.py rebuild_thumbnails --since 2024-01-01 [--notify ops@example.com]

Runs on the ops box, outside the web processes, so it does the image work
itself instead of queueing one Celery task per photo.
"""

import io
import smtplib
import subprocess
from datetime import date
from email.message import EmailMessage

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, UnidentifiedImageError

from shop.models import Photo

SIZES = {"sm": (160, 160), "md": (480, 480), "lg": (1200, 1200)}


class Command(BaseCommand):
    help = "Regenerate thumbnails for photos uploaded since a date."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, required=True)
        parser.add_argument("--notify", help="e-mail a summary to this address when done")
        parser.add_argument("--optimize", action="store_true", help="run jpegoptim over the results")

    def handle(self, *args, **options):
        photos = Photo.objects.filter(uploaded_at__date__gte=options["since"]).only("pk", "original").iterator()
        done, broken = 0, []
        for photo in photos:
            try:
                with default_storage.open(photo.original.name, "rb") as fh:
                    original = Image.open(fh)
                    original.load()
            except (FileNotFoundError, UnidentifiedImageError):
                broken.append(photo.pk)
                continue
            for label, size in SIZES.items():
                thumb = original.copy()
                thumb.thumbnail(size)  # snag-ok: slow-work-in-handler
                buffer = io.BytesIO()
                thumb.save(buffer, "JPEG", quality=82, optimize=True)
                default_storage.save(f"thumbs/{photo.pk}-{label}.jpg", ContentFile(buffer.getvalue()))
            done += 1
            if done % 500 == 0:
                self.stdout.write(f"{done} photos rebuilt")

        if options["optimize"]:
            result = subprocess.run(  # snag-ok: slow-work-in-handler
                ["jpegoptim", "--strip-all", "--recursive", settings.THUMBS_ROOT],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(result.stderr)

        summary = f"Rebuilt {done} photos; {len(broken)} could not be read: {broken[:50]}"
        self.stdout.write(self.style.SUCCESS(summary))
        if options["notify"]:
            self.notify(options["notify"], summary)

    def notify(self, address, summary):
        msg = EmailMessage()
        msg["Subject"] = "Thumbnail rebuild finished"
        msg["From"] = settings.SERVER_EMAIL
        msg["To"] = address
        msg.set_content(summary)
        with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as smtp:
            smtp.starttls()
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            smtp.send_message(msg)  # snag-ok: slow-work-in-handler
