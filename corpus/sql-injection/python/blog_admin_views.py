"""Editorial tools for the blog: search, stats and moderation views.

Most of these predate the ORM rewrite and still run raw SQL.
"""

from django.db import connection, models
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from blog.models import Article


class ArticleManager(models.Manager):
    def with_tag(self, tag):
        with connection.cursor() as cursor:
            cursor.execute("SELECT a.id FROM blog_article a JOIN blog_tag t ON t.article_id = a.id WHERE t.name = '{}'".format(tag))  # snag-expect: sql-injection
            ids = [row[0] for row in cursor.fetchall()]
        return self.filter(id__in=ids)

    def by_author(self, author_id):
        return self.raw("SELECT id, title, slug, published_at FROM blog_article WHERE author_id = %s", [author_id])


@require_GET
def article_search(request):
    term = request.GET.get("q", "")
    articles = Article.objects.raw(  # snag-expect: sql-injection
        "SELECT id, title, slug, published_at FROM blog_article WHERE title ILIKE '%" + term + "%'"
    )
    return JsonResponse({"results": [{"id": a.id, "title": a.title} for a in articles]})


@require_GET
def articles_by_author(request, author_id):
    articles = Article.objects.raw(  # snag-ok: sql-injection
        "SELECT id, title, slug, published_at FROM blog_article WHERE author_id = %s ORDER BY published_at DESC",
        [author_id],
    )
    return JsonResponse({"results": [{"id": a.id, "title": a.title} for a in articles]})


@require_GET
def author_stats(request):
    order = request.GET.get("order", "total_views")
    with connection.cursor() as cursor:
        cursor.execute(  # snag-expect: sql-injection
            "SELECT author_id, count(*) AS articles, sum(views) AS total_views "
            "FROM blog_article GROUP BY author_id ORDER BY %s DESC" % order
        )
        rows = cursor.fetchall()
    return JsonResponse({"authors": rows})


@require_GET
def feed(request):
    if request.GET.get("sort") == "oldest":
        direction = "ASC"
    else:
        direction = "DESC"
    limit = int(request.GET.get("limit", 20))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title, slug FROM blog_article WHERE published ORDER BY published_at {direction} LIMIT {limit}")  # snag-ok: sql-injection
        rows = cursor.fetchall()
    return JsonResponse({"items": rows})


@require_POST
def bulk_publish(request):
    ids = request.POST.getlist("ids")
    if not ids:
        return HttpResponseBadRequest("no ids")
    placeholders = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE blog_article SET published = true, published_at = now() WHERE id IN ({placeholders})", ids)  # snag-ok: sql-injection
        updated = cursor.rowcount
    return JsonResponse({"updated": updated})


@require_GET
def moderation_queue(request):
    sql = "SELECT id, article_id, author_id, body FROM blog_comment WHERE NOT approved"
    flag = request.GET.get("flag")
    if flag:
        sql += " AND flag_reason = '" + flag + "'"
    sql += " ORDER BY created_at"
    with connection.cursor() as cursor:
        cursor.execute(sql)  # snag-expect: sql-injection
        rows = cursor.fetchall()
    return JsonResponse({"comments": rows})
