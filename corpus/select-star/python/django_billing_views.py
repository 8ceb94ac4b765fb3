"""Back-office report views for the billing app.

These views run hand-written SQL because the ORM version of the ledger query
produced a plan that sequential-scanned the entries table.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from billing.models import Customer, Invoice

ARCHIVE_TABLE = "billing_invoice_archive"


def _dictfetchall(cursor):
    """Return all rows from a cursor as a list of dicts."""
    columns = [col[0] for col in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


@staff_member_required
def overdue_invoices(request):
    invoices = Invoice.objects.raw(
        "SELECT * FROM billing_invoice WHERE due_date < now() AND paid_at IS NULL ORDER BY due_date"  # snag-expect: select-star
    )
    return render(request, "billing/overdue.html", {"invoices": invoices})


@staff_member_required
def customer_invoices(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    invoices = Invoice.objects.all()  # snag-ok: select-star
    return render(
        request,
        "billing/customer_invoices.html",
        {"customer": customer, "invoices": invoices.filter(customer=customer)},
    )


@staff_member_required
def customer_ledger(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.* FROM billing_ledgerentry l WHERE l.customer_id = %s ORDER BY l.posted_at",  # snag-expect: select-star
            [customer.pk],
        )
        entries = _dictfetchall(cursor)
    return JsonResponse({"customer": customer.name, "entries": entries})


@staff_member_required
def archived_invoice(request, number):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM %s WHERE number = %%s" % ARCHIVE_TABLE, [number])  # snag-expect: select-star
        rows = _dictfetchall(cursor)
    if not rows:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(rows[0])


@staff_member_required
def monthly_summary(request):
    """Monthly totals; avoids SELECT * FROM billing_invoice because rows carry PDF blobs."""  # snag-ok: select-star
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('month', issued_at) AS month, count(*) AS invoices, "  # snag-ok: select-star
            "sum(total_cents) AS total_cents FROM billing_invoice GROUP BY 1 ORDER BY 1"
        )
        months = _dictfetchall(cursor)
    return JsonResponse({"months": months})


@staff_member_required
def dormant_customers(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.name FROM billing_customer c WHERE NOT EXISTS (SELECT * FROM billing_invoice i "  # snag-ok: select-star
            "WHERE i.customer_id = c.id AND i.issued_at > now() - interval '1 year') ORDER BY c.name"
        )
        customers = _dictfetchall(cursor)
    return JsonResponse({"customers": customers})


@staff_member_required
def dunning_candidates(request):
    with connection.cursor() as cursor:
        # snag-expect: select-star
        cursor.execute("""
            SELECT *, now()::date - due_date AS days_overdue
            FROM billing_invoice
            WHERE paid_at IS NULL AND due_date < now() - interval '14 days'
            ORDER BY days_overdue DESC
        """)
        rows = _dictfetchall(cursor)
    return JsonResponse({"invoices": rows})
