/* Check-in at the door, enhanced: search as you type and one-tap check-in without reloading.
   Without this script the page works with plain forms. Same origin only; no inline code (CSP). */
(function () {
  'use strict';
  var form = document.querySelector('[data-check-in]');
  var list = document.querySelector('[data-door-list]');
  if (!form || !list || !window.fetch) return;
  var slug = form.getAttribute('data-slug');
  var csrf = form.getAttribute('data-csrf');
  var input = form.querySelector('input[name="q"]');
  var base = '/admin/events/' + encodeURIComponent(slug) + '/check-in';
  var timer = null;
  var latest = 0;
  var isClosed = form.hasAttribute('data-door-closed');
  var status = document.querySelector('[data-door-status]');

  function setCounts(counts) {
    document.querySelector('[data-checked-in]').textContent = String(counts.checkedIn);
    document.querySelector('[data-expected]').textContent = String(counts.expected);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(person) {
    var isIn = !!person.checkedInAt;
    var f = el('form', { method: 'post', action: base + '/' + person.id + (isIn ? '/undo' : '') });
    f.appendChild(el('input', { type: 'hidden', name: '_csrf', value: csrf }));
    if (isIn) f.appendChild(el('span', { class: 'door-time' }, 'In at ' + person.checkedInAt));
    var b = el('button', { type: 'submit', class: isIn ? 'button button-secondary' : 'button' }, isIn ? 'Undo' : 'Check in');
    b.appendChild(el('span', { class: 'visually-hidden' }, (isIn ? ' check-in for ' : ' ') + person.name));
    f.appendChild(b);
    return f;
  }

  function row(person) {
    var li = el('li', { id: 'attendee-' + person.id, class: 'door-person' + (person.checkedInAt ? ' is-in' : '') });
    var who = el('div', { class: 'door-who' });
    who.appendChild(el('strong', {}, person.name));
    if (person.isWalkIn) { who.appendChild(document.createTextNode(' ')); who.appendChild(el('span', { class: 'tag' }, 'Walk-in')); }
    if (person.organisation) { who.appendChild(el('br')); who.appendChild(el('span', { class: 'hint' }, person.organisation)); }
    who.appendChild(el('br'));
    who.appendChild(el('span', { class: 'hint' }, person.ticketType + ' · ' + person.reference));
    li.appendChild(who);
    if (!isClosed) li.appendChild(button(person));
    li._person = person;
    return li;
  }

  // Which control has focus, so a refresh that rebuilds the list can give it back (a volunteer mid-tap keeps their place).
  function focusedControl() {
    var active = document.activeElement;
    if (!active || !list.contains(active)) return null;
    var li = active.closest('li');
    return li ? { id: li.id } : null;
  }

  function render(data) {
    var focused = focusedControl();
    list.textContent = '';
    data.people.forEach(function (p) { list.appendChild(row(p)); });
    var empty = document.querySelector('[data-door-empty]');
    if (empty) {
      empty.hidden = data.people.length > 0;
      var text = empty.querySelector('[data-door-empty-text]');
      if (text) text.textContent = input.value.trim() ? 'Nobody with a place matches \u201c' + input.value.trim() + '\u201d.' : 'Nobody has a place yet.';
    }
    var others = document.querySelector('[data-door-others]');
    if (others) {
      others.textContent = '';
      (data.others || []).forEach(function (o) {
        var li = el('li');
        li.appendChild(el('strong', {}, o.name));
        li.appendChild(document.createTextNode(' (' + o.reference + '): ' + o.why));
        others.appendChild(li);
      });
      others.hidden = !(data.others && data.others.length);
    }
    var more = document.querySelector('[data-door-more]');
    if (more) more.hidden = !data.more;
    setCounts(data.counts);
    if (focused) {
      var again = document.getElementById(focused.id);
      var control = again && again.querySelector('button');
      if (control) control.focus();
      else input.focus();
    }
  }

  function search() {
    var ticket = ++latest;
    fetch(base + '.json?q=' + encodeURIComponent(input.value), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) { if (ticket === latest) render(data); })
      .catch(function () { /* the form still works: Search submits normally */ });
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); search(); });

  list.addEventListener('submit', function (e) {
    var f = e.target;
    if (!(f instanceof HTMLFormElement)) return;
    e.preventDefault();
    var b = f.querySelector('button');
    if (b) b.disabled = true;
    fetch(f.action, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      credentials: 'same-origin',
      body: new URLSearchParams(new FormData(f)).toString(),
    })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        setCounts(data.counts);
        if (status) status.textContent = data.checkedInAt ? data.name + ' checked in at ' + data.checkedInAt + '.' : 'Check-in undone for ' + data.name + '.';
        // Ready for the next person: an empty search box with the focus in it, and the whole list again.
        input.value = '';
        input.focus();
        search();
      })
      .catch(function () { f.submit(); });
  });

  // Several people may work the door: keep the counts live.
  setInterval(function () { if (!document.hidden) search(); }, 15000);
})();
