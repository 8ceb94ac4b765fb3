"""Catalog search and merchandising views (Django, raw SQL for the heavy queries)."""

import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product

log = logging.getLogger(__name__)

PRODUCT_COLUMNS = "id, sku, title, price_cents, stock"


def _rows(cursor):
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def products_in_category(slug):
    sql = (
        f"SELECT {PRODUCT_COLUMNS} FROM catalog_product p "
        f"JOIN catalog_category c ON c.id = p.category_id WHERE c.slug = '{slug}' AND p.active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)  # snag-expect: sql-injection
        return _rows(cursor)


def products_by_brand(brand):
    with connection.cursor() as cursor:
        cursor.execute(  # snag-ok: sql-injection
            f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE brand = %s AND active ORDER BY title",
            [brand],
        )
        return _rows(cursor)


def price_filter(min_price, max_price):
    clause = "price_cents BETWEEN " + min_price + " AND " + max_price
    return clause


def top_sellers(limit: int, days: int):
    with connection.cursor() as cursor:
        cursor.execute(  # snag-ok: sql-injection
            f"SELECT product_id, sum(quantity) FROM sales_orderline "
            f"WHERE created_at > now() - interval '{days} days' GROUP BY product_id ORDER BY 2 DESC LIMIT {limit}"
        )
        return cursor.fetchall()


@require_GET
def category(request, slug):
    return JsonResponse({"products": products_in_category(slug)})


@require_GET
def brand(request):
    return JsonResponse({"products": products_by_brand(request.GET.get("brand", ""))})


@require_GET
def price_range(request):
    where = price_filter(request.GET["min"], request.GET["max"])
    products = Product.objects.raw(f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE active AND {where}")  # snag-expect: sql-injection
    return JsonResponse({"products": [p.as_dict() for p in products]})


@require_GET
def bestsellers(request):
    try:
        limit = int(request.GET.get("limit", 10))
        days = int(request.GET.get("days", 30))
    except ValueError:
        return HttpResponseBadRequest("limit and days must be integers")
    return JsonResponse({"top": top_sellers(limit, days)})


@require_GET
def search(request):
    words = request.GET.get("q", "").split()
    if not words:
        return JsonResponse({"products": []})
    conditions = " OR ".join("title ILIKE '%%%s%%'" % word for word in words)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE active AND ({conditions})")  # snag-expect: sql-injection
        return JsonResponse({"products": _rows(cursor)})


def _sort_sql(key):
    return {"price": "price_cents ASC", "newest": "created_at DESC", "title": "title ASC"}.get(key, "id ASC")


@require_GET
def listing(request):
    in_stock = request.GET.get("in_stock") == "1"
    order = _sort_sql(request.GET.get("sort"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE active AND (stock > 0) = {in_stock} ORDER BY {order}")  # snag-ok: sql-injection
        return JsonResponse({"products": _rows(cursor)})


@require_GET
def by_email_domain(request):
    _local, domain = request.GET["email"].split("@", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, email FROM accounts_customer WHERE email LIKE '%%@{domain}'")  # snag-expect: sql-injection
        return JsonResponse({"customers": _rows(cursor)})


@require_GET
def filtered(request):
    filters = {"brand": "", "color": ""}
    filters.update(request.GET.dict())
    sql = "SELECT {columns} FROM catalog_product WHERE brand = '{brand}' AND color = '{color}'".format(columns=PRODUCT_COLUMNS, **filters)
    with connection.cursor() as cursor:
        cursor.execute(sql)  # snag-expect: sql-injection
        return JsonResponse({"products": _rows(cursor)})


@require_GET
def by_skus(request):
    skus = request.GET.getlist("sku")
    if not skus:
        return JsonResponse({"products": []})
    placeholders = ", ".join(["%s"] * len(skus))
    sql = f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE sku IN ({placeholders})"
    log.debug("sku lookup for %s", ", ".join(skus))
    with connection.cursor() as cursor:
        cursor.execute(sql, skus)  # snag-ok: sql-injection
        return JsonResponse({"products": _rows(cursor)})


@staff_member_required
@require_POST
def bulk_reprice(request):
    percent = request.POST.get("percent", "0")
    category_id = request.POST.get("category_id")
    sql = "UPDATE catalog_product SET price_cents = round(price_cents * (100 + %s) / 100.0)"
    params = [percent]
    if category_id:
        sql += " WHERE category_id = %s"
        params.append(category_id)
    message = f"repriced category {category_id} by {percent}%"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # snag-ok: sql-injection
        log.info(message)
        return JsonResponse({"updated": cursor.rowcount})


@staff_member_required
@require_POST
def bulk_tag(request):
    tag = request.POST["tag"]
    ids = request.POST.getlist("product_id")
    values = ", ".join("(%s, '%s')" % (int(pid), tag) for pid in ids)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO catalog_producttag (product_id, tag) VALUES " + values)  # snag-expect: sql-injection
        return JsonResponse({"tagged": cursor.rowcount})
