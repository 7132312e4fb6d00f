// The tally page: a tap is kept on the device first, then sent; without network the taps wait
// in localStorage with their original time and a unique key, and the server stores each key once.
(function () {
  "use strict";
  var root = document.querySelector("[data-tally]");
  if (!root) { return; }
  var form = root.querySelector("[data-tally-form]");
  var undoForm = root.querySelector("[data-undo-form]");
  var undoButton = root.querySelector("[data-undo]");
  var statusLine = root.querySelector("[data-status]");
  var servicePoint = Number(root.dataset.servicePoint);
  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var queueKey = "bibliotal-guidance-queue-" + servicePoint;
  var lastKey = "bibliotal-guidance-last-" + servicePoint;
  var UNDO_MS = 2 * 60 * 1000;
  var counts = JSON.parse(document.getElementById("tally-counts").textContent || "{}");
  var flushing = false;
  var delay = 2000;
  var timer = null;

  function text(name, n) { return (root.dataset[name] || "").replace("%(n)s", n); }
  function load() {
    try { return JSON.parse(localStorage.getItem(queueKey)) || []; } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(queueKey, JSON.stringify(queue)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function lastTap() {
    try { return JSON.parse(localStorage.getItem(lastKey)); } catch (e) { return null; }
  }

  function render(message) {
    var queue = load();
    var pending = {};
    queue.forEach(function (item) { pending[item.topic] = (pending[item.topic] || 0) + 1; });
    var total = 0;
    root.querySelectorAll("[data-count]").forEach(function (element) {
      var topic = element.dataset.count;
      var value = (counts[topic] || 0) + (pending[topic] || 0);
      element.textContent = value;
      total += value;
    });
    root.querySelector("[data-total]").textContent = total;
    var state = !navigator.onLine && queue.length ? text("textOffline", queue.length)
      : queue.length ? text("textSending", queue.length) : text("textSent");
    statusLine.textContent = message ? message + " " + state : state;
    var last = lastTap();
    undoForm.hidden = !(last && Date.now() - last.time < UNDO_MS);
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function flush() {
    var queue = load();
    if (flushing || !queue.length) { return; }
    flushing = true;
    var batch = queue.slice(0, 200);
    fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ items: batch })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          var done = {};
          data.stored.concat(data.duplicates).forEach(function (key) { done[key] = true; });
          save(load().filter(function (item) { return !done[item.key]; }));
          counts = data.today || counts;
          delay = 2000;
          render();
        } else if (response.status === 422 && data.detail && data.detail.errors) {
          var bad = {};
          data.detail.errors.forEach(function (error) { bad[error.key] = true; });
          save(load().filter(function (item) { return !bad[item.key]; }));
          render(text("textRejected") + " " + data.detail.errors[0].message);
        } else if (response.status === 401 || response.status === 403) {
          render(text("textLogin"));
        } else {
          schedule();
        }
      });
    }).catch(function () {
      render();
      schedule();
    }).then(function () {
      flushing = false;
      if (pendingUndo) { var last = pendingUndo; pendingUndo = null; undo(last); }
      if (load().length && navigator.onLine && !timer) { schedule(); }
    });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.dataset.topic) { return; }
    event.preventDefault();
    var child = form.querySelector("input[name=child]");
    var item = {
      key: newKey(),
      service_point: servicePoint,
      topic: Number(button.dataset.topic),
      channel: form.querySelector("input[name=channel]:checked").value,
      child: child.checked ? true : null,
      at: new Date().toISOString()
    };
    var queue = load();
    queue.push(item);
    save(queue);
    localStorage.setItem(lastKey, JSON.stringify({ key: item.key, time: Date.now() }));
    if (timer) { clearTimeout(timer); timer = null; }
    render(text("textRegistered") + ": " + button.dataset.name + ".");
    flush();
  });

  var pendingUndo = null;

  undoForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var last = lastTap();
    localStorage.removeItem(lastKey);
    if (!last || Date.now() - last.time >= UNDO_MS) { render(text("textUndoTooLate")); return; }
    if (flushing) {
      // The tap may be on its way: decide once the server has answered.
      pendingUndo = last;
      return;
    }
    undo(last);
  });

  function undo(last) {
    var queue = load();
    var waiting = queue.filter(function (item) { return item.key === last.key; }).length;
    if (waiting) {
      save(queue.filter(function (item) { return item.key !== last.key; }));
      render(text("textUndone"));
      return;
    }
    fetch(api + "/" + encodeURIComponent(last.key) + "/undo", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok) { counts = data.today || counts; render(text("textUndone")); }
        else { render(String(data.detail || "")); }
      });
    }).catch(function () { render(); });
  }

  window.addEventListener("online", function () { delay = 2000; if (timer) { clearTimeout(timer); timer = null; } flush(); });
  window.addEventListener("offline", function () { render(); });
  setInterval(function () { render(); }, 15000);
  if (undoButton && !undoButton.value) { undoButton.value = ""; }
  render();
  flush();
})();
