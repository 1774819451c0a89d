/**
 * The sign-in flow's pages (sign-in, refused, signed out, the admin pages), rendered with Preact like the managers'
 * pages: preact-render-to-string escapes every text by default.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

// The sign-in pages have no scripts and load nothing.
export const PEOPLE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f6f7f9; margin: 0; }
main { max-width: 30rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; border: 1px solid #d0d4da; }
h1 { font-size: 1.5rem; margin-top: 0; }
.button { display: inline-block; background: #0b57d0; color: #fff; border: 0; border-radius: 4px; padding: .6rem 1.2rem;
  font: inherit; text-decoration: none; cursor: pointer; }
.button:focus-visible, a:focus-visible { outline: 3px solid #f2b400; outline-offset: 2px; }
.problem { background: #fdecea; color: #7a1712; padding: .75rem 1rem; border-radius: 4px; }
.note { color: #4a4f57; }
a { color: #0b57d0; }
`;

/** A small page of the sign-in flow: one landmark, one heading, readable without scripts. */
export function PeoplePage(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Support-led ordering`}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export const renderPeoplePage = (title: string, body: ComponentChildren): string =>
  `<!doctype html>${renderToString(<PeoplePage title={title}>{body}</PeoplePage>)}`;
