"""Celery tasks for the shop: transactional mail, media renditions, PDFs, exports.

Routed by settings.CELERY_TASK_ROUTES: mail to the `mail` queue, the rest to
`media` and `exports`. The newer export actors run on Dramatiq while the
migration off Celery goes on. Everything here runs in a worker process, never
in a web request; views call these with .delay() / .send().
"""

import csv
import io
import subprocess
from pathlib import Path

import dramatiq
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from openpyxl import Workbook
from PIL import Image
from weasyprint import HTML

from .models import Customer, Invoice, Order, Photo

User = get_user_model()
THUMBNAIL_SIZES = {"sm": (160, 160), "md": (480, 480)}


@shared_task(queue="mail", autoretry_for=(OSError,), retry_backoff=True)
def send_welcome_email(user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    body = render_to_string("accounts/email/welcome.txt", {"user": user})
    send_mail("Welcome to Ledgerly", body, settings.DEFAULT_FROM_EMAIL, [user.email])  # snag-ok: slow-work-in-handler


@shared_task(bind=True, queue="mail", max_retries=5)
def send_confirmation_email(self, user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    context = {"user": user, "link": f"{settings.SITE_URL}/accounts/confirm/{user.confirmation_token}"}
    mail = EmailMultiAlternatives("Confirm your e-mail", render_to_string("accounts/email/confirm.txt", context), to=[user.email])
    mail.attach_alternative(render_to_string("accounts/email/confirm.html", context), "text/html")
    try:
        mail.send()  # snag-ok: slow-work-in-handler
    except OSError as exc:
        raise self.retry(exc=exc, countdown=30)


@shared_task(queue="media")
def make_photo_thumbnails(photo_id: int) -> None:
    photo = Photo.objects.get(pk=photo_id)
    with default_storage.open(photo.original.name, "rb") as fh:
        original = Image.open(fh)
        original.load()
    for label, size in THUMBNAIL_SIZES.items():
        thumb = original.copy()
        thumb.thumbnail(size)  # snag-ok: slow-work-in-handler
        buffer = io.BytesIO()
        thumb.save(buffer, "WEBP", quality=80)
        default_storage.save(f"thumbs/{photo.pk}-{label}.webp", ContentFile(buffer.getvalue()))


@shared_task(queue="media", time_limit=900)
def transcode_clip(source: str, target: str) -> None:
    subprocess.run(  # snag-ok: slow-work-in-handler
        ["ffmpeg", "-y", "-i", source, "-vf", "scale=-2:720", "-c:v", "libx264", "-crf", "23", target],
        check=True,
        capture_output=True,
    )


@shared_task(queue="exports")
def render_invoice_pdf(invoice_id: int) -> str:
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_id)
    pdf = HTML(string=render_to_string("billing/invoice.html", {"invoice": invoice})).write_pdf()  # snag-ok: slow-work-in-handler
    return default_storage.save(f"invoices/{invoice.number}.pdf", ContentFile(pdf))


@shared_task(queue="exports", time_limit=3600)
def build_export(kind: str, user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if kind == "orders":
        writer.writerow(["number", "placed_at", "customer_email", "status", "total"])
        for order in Order.objects.select_related("customer").order_by("pk").iterator(chunk_size=2000):
            writer.writerow([order.number, order.placed_at.isoformat(), order.customer.email, order.status, order.total])  # snag-ok: slow-work-in-handler
    else:
        writer.writerow(["id", "email", "name", "country"])
        writer.writerows(Customer.objects.values_list("pk", "email", "full_name", "country").iterator())  # snag-ok: slow-work-in-handler
    name = default_storage.save(f"exports/{kind}-{user.pk}.csv", ContentFile(buffer.getvalue().encode()))
    send_mail(  # snag-ok: slow-work-in-handler
        f"Your {kind} export is ready",
        f"Download it within 7 days: {settings.SITE_URL}{default_storage.url(name)}",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@dramatiq.actor(queue_name="exports", time_limit=3_600_000)
def export_customers_xlsx(user_id: int) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Customers")
    for row in Customer.objects.values_list("pk", "email", "full_name", "country").iterator():
        ws.append(list(row))
    target = Path(settings.EXPORT_ROOT) / f"customers-{user_id}.xlsx"
    wb.save(target)  # snag-ok: slow-work-in-handler
