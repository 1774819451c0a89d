/** The pages' one stylesheet and one script, served from /pages/assets/ (the CSP allows only these). */

export const PAGES_CSS = `
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0550ae;--bad:#a40e26;--good:#116329;--warn:#7d4e00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;line-height:1.45}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:8px}
.skip:focus{left:8px}
header.site{display:flex;gap:24px;align-items:center;padding:10px 24px;border-bottom:1px solid var(--line);background:#f6f8fa}
header.site nav ul{display:flex;gap:16px;list-style:none;margin:0;padding:0}
header.site nav a[aria-current=page]{font-weight:700;color:var(--ink)}
header.site .who{margin-left:auto;color:var(--muted)}
header.site form.signout{margin:0}
main{padding:16px 24px;max-width:1280px}
h1{font-size:1.6rem;margin:.3em 0}
h2{font-size:1.25rem;margin:1.4em 0 .5em}
h3{font-size:1.05rem}
.meta{color:var(--muted);font-size:.9rem}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0;padding:0;list-style:none}
.tile{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:180px}
.tile a{display:block;text-decoration:none;color:inherit}
.tile .figure{display:block;font-size:1.8rem;font-weight:700;color:var(--accent)}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;padding:12px;border:1px solid var(--line);border-radius:8px;background:#f6f8fa}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;gap:2px}
form.filters input,form.filters select{font:inherit;padding:4px 6px;min-width:9em}
button,.button{font:inherit;padding:5px 12px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;border-radius:6px;cursor:pointer;text-decoration:none;display:inline-block}
.button.secondary,button.secondary{background:#fff;color:var(--accent)}
table{border-collapse:collapse;margin:8px 0 16px}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 10px;text-align:left;vertical-align:top;font-size:.92rem}
thead th{background:#f6f8fa}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
.missed,.MISSED{color:var(--bad);font-weight:600}
.met,.MET{color:var(--good)}
.pager{display:flex;gap:12px;align-items:center;margin:8px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
.heat td{text-align:center;min-width:2.2em;font-size:.8rem}
.heat td a{color:inherit;display:block}
nav.contents ol{columns:2;font-size:.95rem}
.error{border:1px solid var(--bad);padding:12px;border-radius:8px}
`;

/**
 * Sets the `tz` cookie to the browser's time zone (times then render in it) and refreshes the element carrying
 * data-refresh every that many seconds, unless paused, hidden, or focus is inside it.
 */
export const PAGES_JS = `(function () {
  var tz = '';
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) {}
  var cookie = 'tz=' + encodeURIComponent(tz);
  var fresh = tz && document.cookie.split('; ').indexOf(cookie) === -1;
  if (fresh) document.cookie = cookie + '; path=/; max-age=31536000; samesite=lax';
  var live = document.querySelector('[data-refresh]');
  if (!live) return;
  var paused = false;
  var button = document.getElementById('pause-updates');
  if (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      paused = !paused;
      button.setAttribute('aria-pressed', String(paused));
      button.textContent = paused ? 'Resume updates' : 'Pause updates';
    });
  }
  function refresh() {
    if (paused || document.hidden || live.contains(document.activeElement)) return;
    fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-refresh]');
        if (next) live.innerHTML = next.innerHTML;
      })
      .catch(function () {});
  }
  setInterval(refresh, Number(live.getAttribute('data-refresh')) * 1000);
  if (fresh) refresh();
})();
`;
