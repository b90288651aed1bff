// The console's script: its buttons and forms call the console's API
// (POST api/{action} with the X-Cognitokit-Console header, which pages of
// other origins cannot send), and new messages refresh the outbox.
'use strict';
(() => {
  const pool = document.body.dataset.pool;
  const flashEl = document.getElementById('flash');

  const flash = (text, isError) => {
    flashEl.textContent = text;
    flashEl.className = isError ? 'error' : 'ok';
    flashEl.hidden = false;
  };
  // refresh shows the effect of an action: it swaps in the sections of a
  // freshly rendered page (no reload: the scroll position and the token
  // panel stay), then says what was done.
  let lastSeq = Number(document.body.dataset.lastSeq || 0);
  const refresh = async (text) => {
    const r = await fetch(location.href, { credentials: 'same-origin' });
    const page = new DOMParser().parseFromString(await r.text(), 'text/html');
    for (const id of ['clients', 'users', 'outbox']) {
      const fresh = page.getElementById(id);
      const cur = document.getElementById(id);
      if (fresh && cur) cur.replaceWith(fresh);
    }
    lastSeq = Math.max(lastSeq, Number(page.body.dataset.lastSeq || 0));
    if (text) flash(text, false);
  };

  const call = async (path, init) => {
    const r = await fetch(path, { credentials: 'same-origin', ...init, headers: { 'X-Cognitokit-Console': '1', ...(init && init.headers) } });
    let body = {};
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  };
  const act = (action, fields) => call('api/' + action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pool, ...fields }),
  });

  const userOf = (el) => {
    const row = el.closest('[data-username]');
    return row ? row.dataset.username : '';
  };
  const byUser = (sel, username) => document.querySelector('tr.user-details[data-username="' + CSS.escape(username) + '"] ' + sel);

  const decodeClaims = (jwt) => {
    try {
      const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const json = decodeURIComponent(Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
      return JSON.stringify(JSON.parse(json), null, 2);
    } catch (e) {
      return '(cannot decode: ' + e + ')';
    }
  };

  const copy = async (textarea) => {
    try {
      await navigator.clipboard.writeText(textarea.value);
    } catch (e) { // not a secure context (http://cognito:9229): the old way
      textarea.select();
      document.execCommand('copy');
    }
  };

  const buttons = {
    'confirm': async (b, u) => await refresh((await act('confirm', { username: u })).message),
    'delete-user': async (b, u) => {
      if (b.dataset.armed !== '1') { // two steps instead of a dialog
        b.dataset.armed = '1';
        b.textContent = 'Really delete ' + u + '?';
        return;
      }
      await refresh((await act('delete-user', { username: u })).message);
    },
    'remove-from-group': async (b, u) => await refresh((await act('remove-from-group', { username: u, group: b.dataset.group })).message),
    'token': async (b, u) => {
      const sel = byUser('select[name=client]', u);
      const t = await act('token', { username: u, client: sel ? sel.value : '' });
      document.getElementById('id-token').value = t.id_token;
      document.getElementById('access-token').value = t.access_token;
      document.getElementById('refresh-token').value = t.refresh_token || '';
      document.getElementById('id-claims').textContent = decodeClaims(t.id_token);
      document.getElementById('token-for').textContent = 'for ' + t.username + ' through ' + t.client_id;
      const section = document.getElementById('token');
      section.hidden = false;
      section.scrollIntoView({ block: 'nearest' });
      flash(t.message, false);
    },
    'close-token': async () => { document.getElementById('token').hidden = true; },
    'copy': async (b) => {
      await copy(document.getElementById(b.dataset.target));
      flash('Copied.', false);
    },
    'show-secret': async (b) => {
      const row = b.closest('[data-client]');
      const out = await call('api/secret?pool=' + encodeURIComponent(pool) + '&client=' + encodeURIComponent(row.dataset.client));
      const code = row.querySelector('.secret');
      code.textContent = out.secret;
      code.hidden = false;
      b.remove();
    },
  };

  document.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (!b || !buttons[b.dataset.action]) return;
    ev.preventDefault();
    try {
      await buttons[b.dataset.action](b, userOf(b));
    } catch (e) {
      flash(e.message, true);
    }
  });

  document.addEventListener('submit', async (ev) => {
    const form = ev.target.closest('form[data-form]');
    if (!form) return;
    ev.preventDefault();
    const f = new FormData(form);
    const fields = {};
    for (const [k, v] of f.entries()) fields[k] = v;
    if (form.dataset.form !== 'create-user') fields.username = userOf(form);
    if (form.dataset.form === 'set-password') fields.permanent = f.has('permanent');
    try {
      await refresh((await act(form.dataset.form, fields)).message);
    } catch (e) {
      flash(e.message, true);
    }
  });

  // The outbox, MailHog style: new messages show up without a reload.
  const poll = async () => {
    try {
      const q = new URLSearchParams({ after: String(lastSeq) });
      if (pool) q.set('pool', pool);
      const out = await call('/_cognitokit/messages?' + q);
      if (out.messages.length > 0) {
        lastSeq = out.messages[out.messages.length - 1].seq;
        const page = new DOMParser().parseFromString(await (await fetch(location.href, { credentials: 'same-origin' })).text(), 'text/html');
        const fresh = page.getElementById('outbox');
        if (fresh) document.getElementById('outbox').replaceWith(fresh);
      }
    } catch (e) { /* the emulator stopped; try again later */ }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();
