/**
 * The console's only way to build DOM. Data becomes text nodes and attribute values, never markup:
 * there is no innerHTML anywhere, so a `<script>` in a name or a reason shows as the characters.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
/** Handlers may be async: a rejection is reported, never left floating. */
type Handler = (e: Event) => unknown;
type Attrs = Record<string, string | number | boolean | Handler | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) {
      if (typeof value !== 'function') throw new Error(`${name} must be a function`);
      el.addEventListener(name.slice(2), (e) => {
        const result = value(e);
        if (result instanceof Promise) result.catch((err: unknown) => console.error(err));
      });
    } else if (name === 'href' && typeof value === 'string' && !/^(#|\/|https?:)/.test(value)) {
      throw new Error(`refusing href ${value}`);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else
      el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function mount(target: Element, ...children: Child[]): void {
  target.replaceChildren();
  append(target, children);
}
