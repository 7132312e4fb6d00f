// The tally page. A tap is kept on the device first, then sent; without network the taps wait
// in localStorage with their original time and a unique key, and the server stores each key
// once. An undo is also kept until the server has it: the server remembers an undo that comes
// before its tap, so the order in which they arrive does not matter. If the device cannot keep
// anything, the page falls back to its ordinary form, which registers the tap directly.
// After a tap the page names what it registered (topic, channel, adult or child, service point)
// with an undo for that tap beside it, and the choices go back to the first (in person, adult),
// so the next citizen is never counted with the last one's choices.
(function () {
  "use strict";
  var root = document.querySelector("[data-tally]");
  if (!root) { return; }
  var form = root.querySelector("[data-tally-form]");
  var undoForm = root.querySelector("[data-undo-form]");
  var statusLine = root.querySelector("[data-status]");
  var noteLine = root.querySelector("[data-note]");
  var totalLine = root.querySelector("[data-total-line]");
  var undoButton = undoForm.querySelector("button[name=undo]");
  // A tap registered by the page's ordinary form (before this script ran) comes back with the
  // server's undo: keep offering it.
  var serverUndo = undoButton && undoButton.value;
  var servicePoint = Number(root.dataset.servicePoint);
  var pointName = root.dataset.pointName || "";
  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var queueKey = "bibliotal-guidance-queue-" + servicePoint;
  var undoKey = "bibliotal-guidance-undo-" + servicePoint;
  var lastKey = "bibliotal-guidance-last-" + servicePoint;
  var UNDO_MS = 2 * 60 * 1000;
  var BATCH = 200;
  var counts = JSON.parse(document.getElementById("tally-counts").textContent || "{}");
  var flushing = false;
  var stopped = "";  // a message when sending waits for the user (log in, a refused batch)
  var delay = 2000;
  var timer = null;
  var note = noteLine.textContent.trim();  // the last thing that happened, shown until the next

  // A text with a count comes in two forms: "...One" for 1, "...Other" for any other number.
  function text(name, n) {
    var plural = n === undefined ? undefined : root.dataset[name + (n === 1 ? "One" : "Other")];
    return (plural !== undefined ? plural : root.dataset[name] || "").replace("%(n)s", n);
  }
  function said(name, what) { return (root.dataset[name] || "").replace("%(what)s", what); }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key)) || []; } catch (e) { return []; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function queue() { return read(queueKey); }
  function lastTap() {
    try { return JSON.parse(localStorage.getItem(lastKey)); } catch (e) { return null; }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function without(keys) {
    var drop = {};
    keys.forEach(function (key) { drop[key] = true; });
    write(queueKey, queue().filter(function (item) { return !drop[item.key]; }));
  }

  function render(message) {
    if (message !== undefined) { note = message; }
    var items = queue();
    var pending = {};
    var undone = {};
    var queued = {};
    items.forEach(function (item) { queued[item.key] = true; });
    read(undoKey).forEach(function (undo) {
      undone[undo.key] = true;
      if (!queued[undo.key]) {  // already on the server: take it off the count at once
        pending[undo.topic] = (pending[undo.topic] || 0) - 1;
      }
    });
    items.forEach(function (item) {
      if (!undone[item.key]) { pending[item.topic] = (pending[item.topic] || 0) + 1; }
    });
    var total = 0;
    root.querySelectorAll("[data-count]").forEach(function (element) {
      var topic = element.dataset.count;
      var value = Math.max(0, (counts[topic] || 0) + (pending[topic] || 0));
      element.textContent = value;
      total += value;
    });
    totalLine.textContent = text("textTotal", total);
    var waiting = items.length + read(undoKey).length;
    statusLine.textContent = stopped ? stopped
      : !navigator.onLine && waiting ? text("textOffline", waiting)
        : waiting ? text("textSending", waiting) : text("textSent");
    noteLine.textContent = note;
    var last = lastTap();
    var undoable = last && Date.now() - last.time < UNDO_MS;
    if (undoable) { undoButton.value = last.key; }
    undoForm.hidden = !(undoable || serverUndo);
    root.dataset.ready = "1";
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; flush(); }, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function refusedKeys(batch, problem) {
    // A Problem's errors: an item's own error names its key; one that does not validate as a
    // tap names its place in the batch (["body", "payload", "items", 3, "topic"]).
    var errors = (problem && problem.errors) || [];
    return errors.map(function (error) {
      if (error.key) { return error.key; }
      var location = error.location || [];
      var at = location.indexOf("items");
      var item = at >= 0 ? batch[location[at + 1]] : null;
      return item ? item.key : null;
    }).filter(Boolean);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { response: response, data: data };
      });
    });
  }

  function sendTaps() {
    var batch = queue().slice(0, BATCH);
    if (!batch.length) { return Promise.resolve(true); }
    return post(api, { items: batch, sent_at: new Date().toISOString() }).then(function (answer) {
      var response = answer.response;
      var data = answer.data;
      if (response.ok) {
        without(data.stored.concat(data.duplicates));
        counts = data.today || counts;
        return true;
      }
      if (response.status === 401 || response.status === 403) {
        stopped = text("textLogin");
        return false;
      }
      if (response.status === 422) {
        var refused = refusedKeys(batch, data);
        if (refused.length) {
          without(refused);
          render(text("textRejected") + " " + refused.length);
          return true;
        }
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 408 &&
          response.status !== 429) {
        stopped = text("textRejected") + " " + response.status;
        return false;
      }
      throw new Error(String(response.status));
    });
  }

  function sendUndos() {
    var undos = read(undoKey);
    if (!undos.length) { return Promise.resolve(true); }
    var key = undos[0].key;
    return post(api + "/" + encodeURIComponent(key) + "/undo").then(function (answer) {
      if (answer.response.ok || answer.response.status === 409) {
        write(undoKey, read(undoKey).filter(function (undo) { return undo.key !== key; }));
        if (answer.data.today) { counts = answer.data.today; }
        render(answer.response.ok ? undefined : String(answer.data.detail || ""));
        return true;
      }
      if (answer.response.status === 401 || answer.response.status === 403) {
        stopped = text("textLogin");
        return false;
      }
      throw new Error(String(answer.response.status));
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) { render(); return; }
    if (!queue().length && !read(undoKey).length) { render(); return; }
    flushing = true;
    sendTaps().then(function (goOn) {
      return goOn ? sendUndos() : false;
    }).then(function (goOn) {
      flushing = false;
      delay = 2000;
      render();
      if (goOn && (queue().length || read(undoKey).length)) { flush(); }
    }).catch(function () {
      flushing = false;
      render();
      schedule();
    });
  }

  function chosen(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    var label = input && input.closest("label");
    return { value: input ? input.value : "", label: label ? label.textContent.trim() : "" };
  }
  function resetChoices() {
    ["channel", "child"].forEach(function (name) {
      var first = form.querySelector("input[name=" + name + "]");
      if (first) { first.checked = true; }
    });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.dataset.topic) { return; }
    var channel = chosen("channel");
    var child = chosen("child");
    var item = {
      key: newKey(),
      service_point: servicePoint,
      topic: Number(button.dataset.topic),
      channel: channel.value,
      child: child.value === "1" ? true : child.value === "0" ? false : null,
      at: new Date().toISOString()
    };
    var what = [button.dataset.name, channel.label, child.label, pointName]
      .filter(Boolean).join(" · ");
    try {
      var items = queue();
      items.push(item);
      write(queueKey, items);
      write(lastKey, { key: item.key, topic: item.topic, time: Date.now(), what: what });
    } catch (e) {
      return;  // nothing can be kept here: let the ordinary form register the tap
    }
    event.preventDefault();
    serverUndo = "";
    stopped = "";
    if (timer) { clearTimeout(timer); timer = null; }
    resetChoices();
    render(said("textRegistered", what));
    flush();
  });

  undoForm.addEventListener("submit", function (event) {
    var last = lastTap();
    // The server's own undo (a tap by the ordinary form): let the ordinary form send it.
    if (!last || last.key !== undoButton.value) { return; }
    serverUndo = "";
    event.preventDefault();
    localStorage.removeItem(lastKey);
    if (Date.now() - last.time >= UNDO_MS) { render(text("textUndoTooLate")); return; }
    var waiting = queue().some(function (item) { return item.key === last.key; });
    if (waiting && !flushing) {
      without([last.key]);  // never left the device
    }
    // Tell the server in any case: the tap may be on its way or already there.
    write(undoKey, read(undoKey).concat([{ key: last.key, topic: last.topic }]));
    stopped = "";
    render(said("textUndone", last.what || ""));
    flush();
  });

  window.addEventListener("online", function () {
    delay = 2000;
    if (timer) { clearTimeout(timer); timer = null; }
    flush();
  });
  window.addEventListener("offline", function () { render(); });
  window.addEventListener("storage", function () { render(); });  // another tab changed it
  setInterval(function () { render(); }, 15000);
  var previous = lastTap();
  if (!note && previous && previous.what && Date.now() - previous.time < UNDO_MS) {
    note = said("textRegistered", previous.what);  // a reload names the tap it can undo
  }
  render();
  flush();
})();
