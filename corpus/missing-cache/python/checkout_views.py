"""Checkout views: basket quote, VAT number check, stock reservation.

Function-based Django views mounted under /checkout/ by shop.urls. VAT rates
and shipping zones are rows the finance team edits in the admin, so they are
read from the database rather than from settings.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from catalogue.models import Product
from checkout.models import Basket, Order, ShippingZone, TaxRate

CENT = Decimal("0.01")
POSTCODE_PATTERNS = {
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"),  # snag-ok: missing-cache
    "NL": re.compile(r"^\d{4} ?[A-Z]{2}$"),  # snag-ok: missing-cache
    "DE": re.compile(r"^\d{5}$"),
}


@require_GET
def basket_quote(request):
    basket = get_object_or_404(Basket, owner=request.user, status=Basket.OPEN)
    country = basket.ship_to_country
    lines = []
    net_total = tax_total = Decimal("0")
    weight = 0
    for line in basket.lines.select_related("product"):
        zone = ShippingZone.objects.get(country=country)  # snag-expect: missing-cache, n-plus-one
        # snag-ok: missing-cache
        rate = TaxRate.objects.get(country=country, category=line.product.tax_category)  # snag-expect: n-plus-one
        net = line.product.price * line.quantity
        tax = (net * rate.percent / 100).quantize(CENT, ROUND_HALF_UP)
        net_total += net
        tax_total += tax
        weight += line.product.weight_grams * line.quantity
        lines.append({"sku": line.product.sku, "net": str(net), "tax": str(tax)})
    shipping = zone.base_fee + zone.per_kg_fee * Decimal(weight) / 1000
    return JsonResponse({
        "lines": lines,
        "net": str(net_total),
        "tax": str(tax_total),
        "shipping": str(shipping.quantize(CENT, ROUND_HALF_UP)),
    })


@require_GET
def checkout_status(request):
    if Order.objects.filter(customer=request.user, status=Order.PENDING_PAYMENT).count() >= settings.MAX_UNPAID_ORDERS:  # snag-ok: missing-cache
        return JsonResponse({"can_checkout": False, "reason": "unpaid_orders"}, status=409)
    basket = Basket.objects.filter(owner=request.user, status=Basket.OPEN).first()
    return JsonResponse({
        "can_checkout": basket is not None,
        "unpaid_orders": Order.objects.filter(customer=request.user, status=Order.PENDING_PAYMENT).count(),  # snag-expect: missing-cache
        "basket_id": basket.pk if basket else None,
    })


@require_POST
def validate_vat_number(request):
    vat_number = request.POST.get("vat_number", "").replace(" ", "").upper()
    eu_vat = re.compile(r"^(ATU\d{8}|BE[01]\d{9}|DE\d{9}|DK\d{8}|FR[A-HJ-NP-Z0-9]{2}\d{9}|NL\d{9}B\d{2}|SE\d{12})$")  # snag-expect: missing-cache
    if not eu_vat.match(vat_number):
        return JsonResponse({"valid": False, "error": "format"}, status=400)
    return JsonResponse({"valid": True, "country": vat_number[:2]})


@require_POST
def validate_postcode(request):
    country = request.POST.get("country", "").upper()
    postcode = request.POST.get("postcode", "").strip().upper()
    pattern = POSTCODE_PATTERNS.get(country)
    if pattern is not None:
        ok = bool(pattern.match(postcode))
    else:
        ok = re.fullmatch(r"[A-Z0-9][A-Z0-9 \-]{1,9}", postcode) is not None  # snag-ok: missing-cache
    return JsonResponse({"valid": ok})


@require_GET
def shipping_zones(request):
    zones = cache.get_or_set(  # snag-ok: missing-cache
        "checkout:shipping-zones:v3",
        lambda: list(ShippingZone.objects.order_by("country").values("country", "name", "base_fee")),
        60 * 15,
    )
    return JsonResponse({"zones": zones})


@require_POST
def reserve_stock(request, pk):
    quantity = int(request.POST["quantity"])
    with transaction.atomic():
        product = Product.objects.get(pk=pk)  # snag-ok: missing-cache
        if product.stock < quantity:
            return JsonResponse({"reserved": False, "available": product.stock}, status=409)
        Product.objects.filter(pk=pk).update(stock=F("stock") - quantity)
        product = Product.objects.get(pk=pk)  # snag-ok: missing-cache
    return JsonResponse({"reserved": True, "remaining": product.stock})


@require_GET
def product_badge(request, pk):
    if request.user.is_staff:
        product = Product.objects.get(pk=pk)  # snag-ok: missing-cache
        badge = "draft" if not product.published else "live"
    else:
        product = Product.objects.get(pk=pk)  # snag-ok: missing-cache
        badge = "low-stock" if product.stock < 5 else ""
    return JsonResponse({"sku": product.sku, "badge": badge})
