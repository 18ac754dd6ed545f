import { restoreSession, type Session, signOut } from './api';
import { h, mount } from './dom';
import { currentLang, setLang, t, type Label } from './i18n';
import { dashboardPage } from './pages/dashboard';
import { loanPage, loansPage } from './pages/loans';
import { queuePage } from './pages/queue';
import { reviewPage } from './pages/review';
import { signInPage } from './pages/signin';
import { tasksPage } from './pages/tasks';

export interface PageContext {
  session: Session;
  params: string[];
  /** Where the page draws; the shell stays. */
  root: HTMLElement;
}
type Page = (ctx: PageContext) => Promise<void>;
interface Route {
  pattern: RegExp;
  page: Page;
  nav?: Label;
  href?: string;
}

const OPERATOR: Route[] = [
  { pattern: /^#\/portfolio$/, page: dashboardPage, nav: 'dashboard', href: '#/portfolio' },
  { pattern: /^#\/loans$/, page: loansPage, nav: 'loans', href: '#/loans' },
  { pattern: /^#\/loans\/([\w-]+)$/, page: loanPage },
];

/** The role decides which pages exist: a route another role owns is not there at all. */
const ROUTES: Record<Session['role'], Route[]> = {
  reviewer: [
    { pattern: /^#\/reviews$/, page: queuePage, nav: 'queue', href: '#/reviews' },
    { pattern: /^#\/reviews\/([\w-]+)$/, page: reviewPage },
  ],
  collector: [{ pattern: /^#\/tasks$/, page: tasksPage, nav: 'tasks', href: '#/tasks' }],
  ops: OPERATOR,
  admin: OPERATOR,
};

const app = document.getElementById('app')!;
let session: Session | null = null;

async function render(): Promise<void> {
  if (!session) {
    mount(
      app,
      signInPage((s) => {
        session = s;
        location.hash = ROUTES[s.role][0]?.href ?? '#/';
        void render();
      }),
    );
    return;
  }
  const routes = ROUTES[session.role];
  const hash = location.hash || routes[0]?.href || '#/';
  const match = routes.map((r) => ({ r, m: r.pattern.exec(hash) })).find((x) => x.m);
  const main = h('main', { id: 'page' });
  mount(app, shell(session, routes), main);
  if (!match?.m) {
    mount(main, h('p', { class: 'notice' }, t('notYours')));
    return;
  }
  await match.r.page({ session, params: match.m.slice(1), root: main });
}

function shell(s: Session, routes: Route[]): HTMLElement {
  return h(
    'header',
    { class: 'shell' },
    h('strong', {}, t('appName')),
    h(
      'nav',
      {},
      routes
        .filter((r) => r.nav)
        .map((r) =>
          h(
            'a',
            { href: r.href!, class: location.hash.startsWith(r.href!) ? 'active' : undefined },
            t(r.nav!),
          ),
        ),
    ),
    h('span', { class: 'who', 'data-testid': 'who' }, `${t('signedInAs')} ${s.name} (${s.role})`),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        id: 'language',
        onclick: () => {
          setLang(currentLang() === 'en' ? 'zh' : 'en');
          void render();
        },
      },
      currentLang() === 'en' ? '中文' : 'English',
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'sign-out',
        onclick: async () => {
          await signOut().catch(() => undefined);
          session = null;
          location.hash = '';
          void render();
        },
      },
      t('signOut'),
    ),
  );
}

window.addEventListener('hashchange', () => void render());
setLang(currentLang());
mount(app, h('p', { class: 'loading' }, t('loading')));
void restoreSession().then((s) => {
  session = s;
  return render();
});
