import {
  BadRequestException,
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Article } from './article.entity';

export class SearchArticlesDto {
  q!: string;
  sort?: string;
}

export class ArticleFilters {
  tag?: string;
  since?: string;
}

const ARTICLES_TABLE = 'articles';
const ARTICLE_COLUMNS = 'a.id, a.title, a.slug, a.published_at';
const PAGE_SIZE = 20;

@Injectable()
export class ArticleSearchService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectRepository(Article) private readonly articles: Repository<Article>,
  ) {}

  async search(dto: SearchArticlesDto) {
    if (!dto.q || dto.q.length < 2) {
      throw new BadRequestException('q must be at least 2 characters');
    }
    return this.ds.query(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.title ILIKE '%${dto.q}%' ORDER BY a.${dto.sort ?? 'published_at'} DESC`); // snag-expect: sql-injection
  }

  async filtered(filters: ArticleFilters) {
    let sql = `SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE a.status = 'published'`;
    if (filters.tag) {
      sql += ` AND '${filters.tag}' = ANY(a.tags)`;
    }
    if (filters.since) {
      sql += ` AND a.published_at >= '${filters.since}'`;
    }
    sql += ' ORDER BY a.published_at DESC';
    return this.ds.query(sql); // snag-expect: sql-injection
  }

  async byAuthor(authorId: string, page: number) {
    return this.ds.query( // snag-ok: sql-injection
      `SELECT id, title, slug FROM ${ARTICLES_TABLE} WHERE author_id = $1 ORDER BY published_at DESC LIMIT ${PAGE_SIZE} OFFSET $2`,
      [authorId, Math.max(0, page) * PAGE_SIZE],
    );
  }

  async bySlug(slug: string) {
    const rows = await this.articles.query('SELECT id, title, body FROM articles WHERE slug = $1', [slug]); // snag-ok: sql-injection
    return rows[0] ?? null;
  }

  async recordView(id: string) {
    await this.articles.query('UPDATE articles SET view_count = view_count + 1 WHERE id = ' + id); // snag-expect: sql-injection
  }
}

@Controller('articles')
export class ArticlesController {
  constructor(
    private readonly searchService: ArticleSearchService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get('search')
  search(@Query() dto: SearchArticlesDto) {
    return this.searchService.search(dto);
  }

  @Get('stats/:year')
  async stats(@Param('year') year: string) {
    if (!/^\d{4}$/.test(year)) {
      throw new BadRequestException('year must be a four digit number');
    }
    return this.ds.query(`SELECT date_trunc('month', published_at) AS month, count(*) AS n FROM articles WHERE extract(year FROM published_at) = ${parseInt(year, 10)} GROUP BY 1 ORDER BY 1`); // snag-ok: sql-injection, select-star
  }

  @Post(':id/views')
  async view(@Param('id') id: string) {
    await this.searchService.recordView(id);
    return { ok: true };
  }
}
