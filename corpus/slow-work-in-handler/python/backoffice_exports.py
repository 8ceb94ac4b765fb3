"""Back-office exports: orders, customers and the product catalogue.

Django views under /backoffice/exports/ (shop.backoffice.urls). Anything that
can grow with the shop is meant to go through shop.tasks.build_export, which
runs on the `exports` Celery queue and mails a download link when it is done.
"""

import csv
from datetime import date

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser

from .models import Customer, Order, Product
from .tasks import build_export, export_customers_xlsx

ORDER_HEADER = ["number", "placed_at", "customer_email", "status", "total"]


class Echo:
    """A file-like object whose write() hands the line back to the caller."""

    def write(self, value):
        return value


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_member_required
def orders_csv(request):
    response = _csv_response(f"orders-{date.today():%Y%m%d}.csv")
    writer = csv.writer(response)
    writer.writerow(ORDER_HEADER)  # snag-ok: slow-work-in-handler
    for order in Order.objects.select_related("customer").order_by("-placed_at"):
        writer.writerow([order.number, order.placed_at.isoformat(), order.customer.email, order.status, order.total])  # snag-expect: slow-work-in-handler
    return response


@staff_member_required
def customers_xlsx(request):
    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["id", "email", "name", "country", "joined"])
    for row in Customer.objects.order_by("pk").values_list("pk", "email", "full_name", "country", "date_joined"):
        ws.append([*row[:4], row[4].date()])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="customers.xlsx"'
    wb.save(response)  # snag-expect: slow-work-in-handler
    return response


@api_view(["GET"])
@permission_classes([IsAdminUser])
def products_csv(request):
    response = _csv_response("products.csv")
    writer = csv.writer(response)
    writer.writerow(["sku", "name", "price", "stock"])
    writer.writerows(Product.objects.values_list("sku", "name", "price", "stock"))  # snag-expect: slow-work-in-handler
    return response


@staff_member_required
def recent_orders_csv(request):
    response = _csv_response("recent-orders.csv")
    writer = csv.writer(response)
    writer.writerow(ORDER_HEADER)
    recent = Order.objects.select_related("customer").order_by("-placed_at")[:100]
    writer.writerows(  # snag-ok: slow-work-in-handler
        [o.number, o.placed_at.isoformat(), o.customer.email, o.status, o.total] for o in recent
    )
    return response


@staff_member_required
def monthly_revenue_xlsx(request, year: int):
    summary = (
        Order.objects.filter(placed_at__year=year, status="paid")
        .annotate(month=TruncMonth("placed_at"))
        .values("month")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("month")
    )
    wb = Workbook()
    ws = wb.active
    ws.append(["month", "orders", "revenue"])
    for row in summary:
        ws.append([row["month"].strftime("%Y-%m"), row["orders"], row["revenue"]])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="revenue-{year}.xlsx"'
    wb.save(response)  # snag-ok: slow-work-in-handler
    return response


@staff_member_required
def orders_csv_stream(request):
    # Streamed as the rows are read, per the Django docs on large CSV files.
    rows = Order.objects.order_by("pk").values_list("number", "placed_at", "customer__email", "status", "total").iterator()
    writer = csv.writer(Echo())
    return StreamingHttpResponse(
        (writer.writerow(row) for row in rows),  # snag-ok: slow-work-in-handler
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="orders-full.csv"'},
    )


@staff_member_required
def import_template_csv(request):
    response = _csv_response("product-import-template.csv")
    writer = csv.writer(response)
    writer.writerow(["sku", "name", "price", "stock", "category"])  # snag-ok: slow-work-in-handler
    writer.writerow(["EX-001", "Example product", "19.90", "10", "misc"])
    return response


@staff_member_required
@require_POST
def request_export(request, kind: str):
    if kind not in {"orders", "customers", "products"}:
        return JsonResponse({"error": "unknown export"}, status=400)
    result = build_export.delay(kind, request.user.pk)  # snag-ok: slow-work-in-handler
    return JsonResponse({"task": result.id, "status": "queued"}, status=202)


@staff_member_required
@require_POST
def request_customers_xlsx(request):
    # Dramatiq actor: .send() enqueues the message, it does not send anything itself.
    message = export_customers_xlsx.send(request.user.pk)  # snag-ok: slow-work-in-handler
    return JsonResponse({"message": message.message_id, "status": "queued"}, status=202)
