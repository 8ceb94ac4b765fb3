"""Cart and checkout-preview views for the storefront (Django function views)."""

import json
from decimal import Decimal

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from catalog.models import PriceOverride, Product, StockLevel
from carts.models import Cart, CartItem


def _cart_skus(request):
    try:
        payload = json.loads(request.body)
    except ValueError:
        return None
    return {str(k): int(v) for k, v in payload.get("items", {}).items()}


@require_POST
def preview(request):
    """Price a cart the client holds in local storage: {"items": {sku: qty}}."""
    items = _cart_skus(request)
    if items is None:
        return HttpResponseBadRequest("bad json")
    prices = {sku: Product.objects.get(sku=sku).price for sku in items}  # snag-expect: n-plus-one
    total = sum(prices[sku] * qty for sku, qty in items.items())  # snag-ok: n-plus-one
    return JsonResponse({"total": str(total), "lines": {k: str(v) for k, v in prices.items()}})


@require_POST
def preview_v2(request):
    items = _cart_skus(request)
    if items is None:
        return HttpResponseBadRequest("bad json")
    products = {p.sku: p for p in Product.objects.filter(sku__in=items.keys()).only("sku", "price")}  # snag-ok: n-plus-one
    overrides = dict(
        PriceOverride.objects.filter(sku__in=items.keys(), active=True).values_list("sku", "price")  # snag-ok: n-plus-one
    )
    lines = {}
    for sku, qty in items.items():
        product = products.get(sku)  # snag-ok: n-plus-one
        if product is None:
            continue
        lines[sku] = overrides.get(sku, product.price) * qty  # snag-ok: n-plus-one
    return JsonResponse({"total": str(sum(lines.values(), Decimal("0"))), "lines": {k: str(v) for k, v in lines.items()}})


@require_GET
def availability(request):
    skus = request.GET.getlist("sku")
    in_stock = [sku for sku in skus if StockLevel.objects.filter(sku=sku, on_hand__gt=0).exists()]  # snag-expect: n-plus-one
    return JsonResponse({"in_stock": in_stock})


@require_GET
def availability_v2(request):
    skus = request.GET.getlist("sku")
    stocked = set(StockLevel.objects.filter(sku__in=skus, on_hand__gt=0).values_list("sku", flat=True))  # snag-ok: n-plus-one
    return JsonResponse({"in_stock": [sku for sku in skus if sku in stocked]})  # snag-ok: n-plus-one


@require_GET
def cart_summary(request, cart_id):
    cart = Cart.objects.get(pk=cart_id, session_key=request.session.session_key)  # snag-ok: n-plus-one
    item_ids = list(cart.items.values_list("id", flat=True))
    by_id = CartItem.objects.in_bulk(item_ids)  # snag-ok: n-plus-one
    weight = sum(by_id[i].weight_grams * by_id[i].quantity for i in item_ids)  # snag-ok: n-plus-one
    return JsonResponse({"items": len(item_ids), "weight_grams": weight})


@require_POST
def merge_carts(request):
    """Guest cart merged into the user's cart on login."""
    guest = Cart.objects.get(session_key=request.POST["guest_session"])
    mine, _ = Cart.objects.get_or_create(user=request.user)
    for item in CartItem.objects.filter(cart=guest).values("product_id", "quantity"):  # snag-ok: n-plus-one
        existing = CartItem.objects.filter(cart=mine, product_id=item["product_id"]).first()  # snag-expect: n-plus-one
        if existing:
            existing.quantity += item["quantity"]
            existing.save(update_fields=["quantity"])  # snag-expect: n-plus-one
        else:
            CartItem.objects.create(cart=mine, product_id=item["product_id"], quantity=item["quantity"])  # snag-expect: n-plus-one
    guest.delete()  # snag-ok: n-plus-one
    return JsonResponse({"cart": mine.pk})


@require_POST
def clear_saved_for_later(request):
    cart = Cart.objects.get(user=request.user)
    for item in CartItem.objects.filter(cart=cart, saved_for_later=True):
        item.delete()  # snag-expect: n-plus-one
    return JsonResponse({"ok": True})
