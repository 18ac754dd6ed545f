import { ApiError, type Session, signIn } from '../api';
import { h } from '../dom';
import { t } from '../i18n';

export function signInPage(onSignedIn: (s: Session) => void): HTMLElement {
  const key = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    required: true,
    size: 48,
  });
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const button = h('button', { type: 'submit', id: 'sign-in' }, t('signIn'));
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        button.disabled = true;
        error.textContent = t('loading');
        try {
          onSignedIn(await signIn(key.value.trim()));
        } catch (err) {
          error.textContent = err instanceof ApiError ? err.message : String(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', {}, t('appName')),
    h('label', { for: 'api-key' }, t('apiKey')),
    key,
    h('p', { class: 'hint' }, t('apiKeyHint')),
    button,
    error,
  );
  return form;
}
