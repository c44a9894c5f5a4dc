/**
 * The browse page's script (the only script of the site): search as you type with the search
 * client, results built with DOM text nodes (never HTML strings, so nothing a publisher wrote can
 * become markup), keyboard navigation (arrow keys through the results, Escape back to the box).
 * The builder bundles it with esbuild into one immutable file (builder/browse.ts).
 */
import { createSearchClient, type SearchHit } from '../../client/search.js';
import { installHints, isLinkable, serverPagePath, versionDocumentPath } from '../../core/search/install.js';

/**
 * The few browser APIs used here, typed locally: the project compiles for Node (no DOM library), and
 * adding the DOM library to the whole program would type browser globals in server code.
 */
interface Elem {
  className: string;
  textContent: string | null;
  value: string;
  type: string;
  setAttribute(name: string, value: string): void;
  append(...nodes: (Elem | string)[]): void;
  replaceChildren(...nodes: Elem[]): void;
  after(...nodes: Elem[]): void;
  remove(): void;
  focus(): void;
  querySelectorAll(selector: string): Iterable<Elem>;
  addEventListener(type: string, listener: (event: KeyEvent) => void): void;
}
interface KeyEvent {
  key: string;
  preventDefault(): void;
}
interface Browser {
  document: {
    getElementById(id: string): Elem;
    createElement(tag: string): Elem;
    createTextNode(text: string): Elem;
    activeElement: Elem | null;
  };
  location: { origin: string; search: string; pathname: string };
  history: { replaceState(data: null, unused: string, url: string): void };
}
const { document, location, history } = globalThis as unknown as Browser;

const PAGE_SIZE = 20;
const DEBOUNCE_MS = 150;

const client = createSearchClient({ baseUrl: location.origin });
const form = document.getElementById('search-form');
const box = document.getElementById('q');
const status = document.getElementById('status');
const results = document.getElementById('results');

function el(
  tag: string,
  props: { className?: string; text?: string; href?: string } = {},
  children: (Elem | undefined)[] = [],
): Elem {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.href !== undefined) node.setAttribute('href', props.href);
  for (const child of children) if (child) node.append(child);
  return node;
}

function hitItem(hit: SearchHit): Elem {
  const link = el('a', { className: 'hit', text: hit.title || hit.name, href: serverPagePath(hit.name) });
  const hints = installHints(hit).map((hint) => {
    const code = el('code');
    code.append(
      hint.form === 'url' && isLinkable(hint.text)
        ? el('a', { text: hint.text, href: hint.text })
        : hint.text,
    );
    return el('li', {}, [
      el('span', { className: 'kind', text: hint.kind }),
      document.createTextNode(' '),
      code,
      hint.transport ? el('span', { className: 'meta', text: ` (${hint.transport})` }) : undefined,
    ]);
  });
  const list = hints.length > 0 ? el('ul', { className: 'hints' }, hints) : undefined;
  list?.setAttribute('aria-label', 'How to run it');
  return el('li', {}, [
    el('h3', {}, [link]),
    el('p', { className: 'name', text: hit.name }),
    el('p', { className: 'desc', text: hit.description ?? '' }),
    el('p', { className: 'meta' }, [
      document.createTextNode(`Version ${hit.version}`),
      hit.status === 'deprecated' ? document.createTextNode(' ') : undefined,
      hit.status === 'deprecated'
        ? el('span', { className: 'badge deprecated', text: 'deprecated' })
        : undefined,
      document.createTextNode(' · '),
      el('a', { text: 'JSON document', href: versionDocumentPath(hit.name, hit.version) }),
    ]),
    list,
  ]);
}

let current = 0;
let shown = 0;
let more: Elem | undefined;

async function run(query: string, offset = 0): Promise<void> {
  const ticket = ++current;
  if (offset === 0) {
    shown = 0;
    more?.remove();
  }
  if (query.trim().length < 2) {
    results.replaceChildren();
    status.textContent = query.trim() === '' ? '' : 'Type at least two letters.';
    return;
  }
  status.textContent = 'Searching…';
  try {
    const found = await client.search(query, { limit: PAGE_SIZE, offset });
    if (ticket !== current) return; // a newer query is under way
    const items = found.hits.map(hitItem);
    if (offset === 0) results.replaceChildren(...items);
    else results.append(...items);
    shown += found.hits.length;
    status.textContent =
      found.total === 0
        ? `No servers match “${query}”.`
        : `${found.total} server${found.total === 1 ? '' : 's'} found for “${query}”${shown < found.total ? `, showing ${shown}` : ''}.`;
    more?.remove();
    if (shown < found.total) {
      more = el('button', { text: 'Show more results' });
      more.type = 'button';
      more.addEventListener('click', () => void run(query, shown));
      results.after(more);
    }
  } catch {
    if (ticket === current) status.textContent = 'Search failed; try again in a moment.';
  }
}

function hitLinks(): Elem[] {
  return [...results.querySelectorAll('a.hit')];
}

let timer: ReturnType<typeof setTimeout> | undefined;
box.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const q = box.value;
    history.replaceState(null, '', q ? `?q=${encodeURIComponent(q)}` : location.pathname);
    void run(q);
  }, DEBOUNCE_MS);
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(timer);
  void run(box.value);
});

box.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown') {
    const first = hitLinks()[0];
    if (first) {
      event.preventDefault();
      first.focus();
    }
  }
});

results.addEventListener('keydown', (event) => {
  const links = hitLinks();
  const active = document.activeElement;
  const at = active ? links.indexOf(active) : -1;
  let next: Elem | undefined;
  if (event.key === 'Escape') next = box;
  else if (at < 0) return;
  else if (event.key === 'ArrowDown') next = links[Math.min(at + 1, links.length - 1)];
  else if (event.key === 'ArrowUp') next = at === 0 ? box : links[at - 1];
  else if (event.key === 'Home') next = links[0];
  else if (event.key === 'End') next = links[links.length - 1];
  if (next) {
    event.preventDefault();
    next.focus();
  }
});

const initial = new URLSearchParams(location.search).get('q');
if (initial) {
  box.value = initial;
  void run(initial);
}
