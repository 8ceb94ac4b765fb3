"""Invoicing models, plus the reporting helpers shared by the dunning job and the admin."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Sum


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField()
    credit_limit = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )

    def __str__(self):
        return self.name


class Invoice(models.Model):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    STATUS_CHOICES = [(OPEN, "Open"), (PAID, "Paid"), (VOID, "Void")]

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=8, choices=STATUS_CHOICES, default=OPEN)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    issued_on = models.DateField()
    due_date = models.DateField()

    class Meta:
        ordering = ["-issued_on"]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)


def overdue_digest(today=None):
    """(number, customer name, total) for every overdue invoice, for the morning email."""
    today = today or date.today()
    rows = []
    for invoice in Invoice.objects.filter(status=Invoice.OPEN, due_date__lt=today):  # snag-ok: n-plus-one
        rows.append((invoice.number, invoice.customer.name, invoice.total))  # snag-expect: n-plus-one
    return rows


def overdue_by_manager(today=None):
    """Overdue invoices grouped by the customer's account manager."""
    today = today or date.today()
    qs = Invoice.objects.select_related("customer__account_manager").filter(
        status=Invoice.OPEN, due_date__lt=today
    )
    grouped = defaultdict(list)
    for invoice in qs:
        manager = invoice.customer.account_manager  # snag-ok: n-plus-one
        grouped[manager.email if manager else "unassigned"].append(invoice.number)
    return dict(grouped)


def customer_ids_with_open_invoices():
    return {inv.customer_id for inv in Invoice.objects.filter(status=Invoice.OPEN).only("customer_id")}  # snag-ok: n-plus-one


def billed_per_customer(start, end):
    """Sum of line amounts per customer id over a billing window."""
    totals = defaultdict(Decimal)
    lines = InvoiceLine.objects.filter(invoice__issued_on__range=(start, end))
    for line in lines:
        totals[line.invoice.customer_id] += line.amount  # snag-expect: n-plus-one
    return totals


def billed_per_invoice(start, end):
    totals = defaultdict(Decimal)
    for line in InvoiceLine.objects.filter(invoice__issued_on__range=(start, end)).only("invoice_id", "amount"):
        totals[line.invoice_id] += line.amount  # snag-ok: n-plus-one
    return totals


def customers_over_limit():
    flagged = []
    for customer in Customer.objects.exclude(credit_limit=0):
        open_total = customer.invoices.filter(status=Invoice.OPEN).aggregate(s=Sum("total"))["s"] or Decimal("0")  # snag-expect: n-plus-one
        if open_total > customer.credit_limit:
            flagged.append((customer.pk, customer.name, open_total))
    return flagged


def customers_over_limit_annotated():
    flagged = []
    qs = Customer.objects.exclude(credit_limit=0).annotate(open_total=Sum("invoices__total"))
    for customer in qs:
        if (customer.open_total or Decimal("0")) > customer.credit_limit:  # snag-ok: n-plus-one
            flagged.append((customer.pk, customer.name, customer.open_total))
    return flagged


def statements(customer_ids):
    """Printable statement lines per customer, with every invoice and its lines."""
    customers = Customer.objects.filter(id__in=customer_ids).prefetch_related("invoices__lines")  # snag-ok: n-plus-one
    out = {}
    for customer in customers:
        entries = []
        for invoice in customer.invoices.all():  # snag-ok: n-plus-one
            for line in invoice.lines.all():  # snag-ok: n-plus-one
                entries.append(f"{invoice.number}  {line.description:<40} {line.amount:>10}")
        out[customer.pk] = entries
    return out


def apply_late_fee(rate):
    invoices = list(Invoice.objects.filter(status=Invoice.OPEN, due_date__lt=date.today()))
    for invoice in invoices:
        invoice.total = (invoice.total * (1 + rate)).quantize(Decimal("0.01"))  # snag-ok: n-plus-one
    Invoice.objects.bulk_update(invoices, ["total"], batch_size=500)  # snag-ok: n-plus-one
    return len(invoices)


def void_invoices(numbers):
    voided = 0
    for invoice in Invoice.objects.filter(number__in=numbers, status=Invoice.OPEN):
        invoice.status = Invoice.VOID
        invoice.save(update_fields=["status"])  # snag-expect: n-plus-one
        voided += 1
    return voided
