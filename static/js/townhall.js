// Live town hall client (protocol: docs/realtime.md).
// Keeps a model of the town hall built from a snapshot and then from numbered events. Events
// are applied strictly in sequence: duplicates are ignored, and a gap triggers a resync with
// the last sequence number seen, so nobody sees a repeated or out-of-order item.
(function () {
  "use strict";

  var root = document.getElementById("townhall");
  if (!root || typeof io === "undefined") return;
  var text = JSON.parse(document.getElementById("townhall-text").textContent);
  var slug = root.dataset.townhall;
  var projector = root.dataset.mode === "projector";

  var model = {
    lastSeq: null, settings: {}, me: {}, questions: new Map(), messages: new Map(),
    polls: new Map(), upvoted: new Set(), answeredPolls: new Set(), pollChoices: {},
  };
  var sortMode = "top";
  var replyTo = null;
  var joining = false;

  function $(selector) { return root.querySelector(selector); }
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function say(message) {
    var box = $("[data-message]");
    if (box) box.textContent = message || "";
  }
  // "● Live" only while the session is really open; connected to one that is not: "Connected".
  function setConnection(label, state) {
    var box = $("[data-connection]");
    if (!box) return;
    var open = model.settings.state === "live";
    box.textContent = state === "live" && !open ? text.connected : label;
    box.dataset.state = state;
    box.dataset.open = open ? "yes" : "no";
  }

  // --- talking to the server --------------------------------------------------------------

  var socket = io("/townhall", { transports: ["websocket"], reconnectionDelayMax: 5000 });
  var ACK_TIMEOUT = 8000;  // ms to wait for any acknowledgement before trying again
  var JOIN_TIMEOUT = 6000;

  function send(event, payload, attempt) {
    attempt = attempt || 1;
    payload.townhall = slug;
    return new Promise(function (resolve) {
      socket.timeout(ACK_TIMEOUT).emit(event, payload, function (err, answer) {
        var retry = err || (answer && answer.error === "busy");
        if (retry && attempt < 4) {
          // No acknowledgement, or the server was busy: the same payload again (and the same
          // client_id), so it is stored once.
          setTimeout(function () { resolve(send(event, payload, attempt + 1)); }, 500 * attempt);
          return;
        }
        if (err) { say(text.failed); resolve({ ok: false }); return; }
        if (!answer.ok) say(answer.message);
        else say("");
        resolve(answer);
      });
    });
  }

  // join: asked on every (re)connection and after a gap. It is answered within JOIN_TIMEOUT or
  // asked again (with back-off); meanwhile events are kept and applied after its answer.
  var joinAttempt = 0;  // which join's answer is awaited (0: none)
  var joinRetry = null;
  var joinAgain = false;

  function join() {
    if (joining) { joinAgain = true; return; }
    clearTimeout(joinRetry);
    joining = true;
    var attempt = ++joinAttempt;
    var payload = { townhall: slug };
    if (model.lastSeq !== null) payload.last_seq = model.lastSeq;
    socket.timeout(JOIN_TIMEOUT).emit("join", payload, function (err, answer) {
      if (attempt !== joinAttempt) return;  // an answer that came too late
      joining = false;
      if (err || (answer && answer.error === "busy")) { retryJoin(); return; }
      joinFailures = 0;
      if (!answer || !answer.ok) { say(answer && answer.message); return; }
      if (answer.snapshot) applySnapshot(answer.snapshot);
      else answer.events.forEach(applyEvent);
      setConnection(text.live, "live");
      setPresence(answer.present);
      render();
      if (joinAgain) { joinAgain = false; join(); return; }
      receive([]);  // what came while joining
    });
  }

  var joinFailures = 0;
  function retryJoin() {
    joinAttempt++;  // forget the unanswered one
    joinFailures++;
    setConnection(text.reconnecting, "reconnecting");
    var wait = Math.min(15000, 1000 * Math.pow(2, joinFailures - 1)) * (0.75 + Math.random() / 2);
    joinRetry = setTimeout(function () { if (socket.connected) join(); }, wait);
  }

  socket.on("connect", function () {
    setConnection(text.connecting, "connecting");
    joining = false;
    joinAgain = false;
    joinAttempt++;
    join();
  });
  socket.on("disconnect", function () {
    clearTimeout(joinRetry);
    setConnection(text.reconnecting, "reconnecting");
  });
  socket.io.on("reconnect_attempt", function () { setConnection(text.reconnecting, "reconnecting"); });
  socket.on("connect_error", function () { setConnection(text.offline, "offline"); });
  socket.on("presence", function (data) { setPresence(data.present); });
  setConnection(text.connecting, "connecting");
  // Events that arrived before the one they follow (several server processes can publish in
  // crossed order, or a join is being answered): held, applied as soon as the gap fills, else
  // fetched with join.
  var early = new Map();
  var gapTimer = null;
  socket.on("event", function (event) { receive([event]); });
  // Events that came close together arrive as one list, in order.
  socket.on("events", function (events) { receive(events); });
  function receive(events) {
    events.forEach(function (event) {
      if (model.lastSeq === null || event.seq > model.lastSeq) early.set(event.seq, event);
    });
    if (model.lastSeq === null || joining) return;  // applied after the join's answer
    early.forEach(function (_event, seq) { if (seq <= model.lastSeq) early.delete(seq); });
    var applied = false;
    while (early.has(model.lastSeq + 1)) {
      var next = early.get(model.lastSeq + 1);
      early.delete(next.seq);
      applyEvent(next);
      applied = true;
    }
    if (applied) render();
    if (early.size && !gapTimer) {
      gapTimer = setTimeout(function () {
        gapTimer = null;
        if (early.size && !joining) { early.clear(); join(); }
      }, 700);
    }
  }

  function setPresence(count) {
    var box = $("[data-presence-box]");
    if (!box || typeof count !== "number") return;
    box.hidden = false;
    box.textContent = count === 1 ? box.dataset.one : box.dataset.many.replace("{n}", count);
  }

  // --- the model ----------------------------------------------------------------------------

  function applySnapshot(snapshot) {
    model.lastSeq = snapshot.last_seq;
    model.settings = snapshot.settings;
    model.me = snapshot.me;
    model.questions = new Map(snapshot.questions.map(function (q) { return [q.id, q]; }));
    model.messages = new Map(snapshot.messages.map(function (m) { return [m.id, m]; }));
    model.polls = new Map(snapshot.polls.map(function (p) { return [p.id, p]; }));
    model.upvoted = new Set(snapshot.me.upvoted);
    model.answeredPolls = new Set(snapshot.me.answered_polls);
    model.pollChoices = snapshot.me.poll_choices || {};
  }

  function applyEvent(event) {
    if (event.seq <= model.lastSeq) return;
    var data = event.data;
    switch (event.type) {
      case "question":  // new, or shown again by a moderator
        if (!data.hidden || maySeeHidden(data)) model.questions.set(data.id, data);
        break;
      case "question.upvotes":
        if (model.questions.has(data.id)) model.questions.get(data.id).upvotes = data.upvotes;
        break;
      case "question.state":
        model.questions.forEach(function (q) {
          if (q.state === "answering" && q.id !== data.id && data.state === "answering") q.state = "open";
        });
        if (model.questions.has(data.id)) model.questions.get(data.id).state = data.state;
        model.settings.current_question_id = data.current_question_id;
        break;
      case "message":
        if (!data.hidden || maySeeHidden(data)) model.messages.set(data.id, data);
        break;
      case "hidden":
        // Gone from every screen, but its author and the facilitators see it marked hidden.
        var items = data.kind === "question" ? model.questions : model.messages;
        var hiddenItem = items.get(data.id);
        if (hiddenItem && maySeeHidden(hiddenItem)) {
          hiddenItem.hidden = true;
          hiddenItem.hidden_reason = data.reason;
        } else {
          items.delete(data.id);
        }
        break;
      case "poll":
      case "poll.results":
        model.polls.set(data.id, data);
        break;
      case "settings":
        model.settings = data;
        break;
      case "muted":
        if (data.user_id === model.me.id) {
          model.me.muted = data.muted;
          if (data.muted) say(text.you_are_muted);
        }
        break;
    }
    model.lastSeq = event.seq;
  }

  // --- rendering ----------------------------------------------------------------------------

  function render() {
    if (projector) { renderProjector(); return; }
    renderState();
    renderQuestions();
    renderMessages();
    renderPolls();
  }

  function renderState() {
    var badge = $("[data-state-badge]");
    var state = model.settings.state;
    if (badge && state) {
      badge.textContent = text["state_" + state];
      badge.className = "badge badge--" + state;
    }
    root.dataset.state = state;
    var connection = $("[data-connection]");
    if (connection && connection.dataset.state === "live") setConnection(text.live, "live");
    var pinned = $("[data-pinned]");
    var message = model.messages.get(model.settings.pinned_message_id);
    pinned.hidden = !message;
    pinned.textContent = message ? text.pinned + ": " + (message.author ? message.author.name : "") + " — " + message.body : "";
    var canWrite = state === "live" && !model.me.muted;
    root.querySelectorAll("[data-form=ask] button, [data-form=post] button").forEach(function (b) {
      b.disabled = !canWrite;
    });
    var post = $("[data-form=post] button");
    if (post && model.settings.discussion_locked && !model.me.facilitator) post.disabled = true;
  }

  // Message rendering: text only ever goes in through textContent; CSS (white-space: pre-line)
  // keeps the writer's line breaks. The time is Bangkok's, as "14:30 น." in Thai.
  var clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Bangkok", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  function timeItem(iso) {
    var moment = iso ? new Date(iso) : null;
    if (!moment || isNaN(moment.getTime())) return null;
    var node = el("time", "message__time", (text.clock || "{time}").replace("{time}", clock.format(moment)));
    node.dateTime = iso;
    return node;
  }

  function questionItem(q) {
    var item = el("li", "question" + (q.state === "answering" ? " question--answering" : ""));
    item.dataset.questionId = q.id;
    if (q.hidden) item.appendChild(hiddenNotice(q));
    item.appendChild(el("p", "question__body", q.body));
    var meta = el("p", "meta");
    meta.appendChild(document.createTextNode(q.author ? q.author.name : text.former));
    if (q.author && q.author.guest) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "badge badge--guest", text.guest)); }
    meta.appendChild(document.createTextNode(" · "));
    var asked = timeItem(q.created);
    if (asked) {
      meta.appendChild(asked);
      meta.appendChild(document.createTextNode(" · "));
    }
    var count = el("span", null, String(q.upvotes));
    count.dataset.upvotes = "";
    meta.appendChild(count);
    meta.appendChild(document.createTextNode(" " + text.want));
    if (q.state === "answering") {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("strong", "badge badge--live", text.answering));
    }
    item.appendChild(meta);
    var actions = el("div", "item-actions");
    if (q.state !== "answered" && model.me.id && q.author && q.author.id !== model.me.id) {
      var up = el("button", "vote-button", "▲ " + text.upvote);
      up.type = "button";
      up.setAttribute("aria-pressed", model.upvoted.has(q.id) ? "true" : "false");
      up.disabled = model.upvoted.has(q.id);
      up.addEventListener("click", function () {
        send("upvote", { question_id: q.id }).then(function (answer) {
          if (answer.ok) { model.upvoted.add(q.id); render(); }
        });
      });
      actions.appendChild(up);
    }
    if (model.me.facilitator && q.hidden) {
      actions.appendChild(hideOrRestore("question", q));
    } else if (model.me.facilitator) {
      if (q.state !== "answering" && q.state !== "answered") {
        actions.appendChild(button(text.mark_answering, function () {
          send("question_state", { question_id: q.id, state: "answering" });
        }));
      }
      if (q.state !== "answered") {
        actions.appendChild(button(text.mark_answered, function () {
          send("question_state", { question_id: q.id, state: "answered" });
        }));
      } else {
        actions.appendChild(button(text.reopen, function () {
          send("question_state", { question_id: q.id, state: "open" });
        }));
      }
      actions.appendChild(hideOrRestore("question", q));
    }
    var report = reportLink("question", q);
    if (report) actions.appendChild(report);
    item.appendChild(actions);
    return item;
  }

  function maySeeHidden(item) {
    return model.me.facilitator || (item.author && item.author.id === model.me.id);
  }

  function hiddenNotice(item) {
    return el("p", "notice", text.only_you + " " + text.hidden_by.replace("{reason}", item.hidden_reason || ""));
  }

  // A link to tell the moderators (not for one's own words; the page opens in the same tab).
  function reportLink(kind, item) {
    if (!model.me.id || !item.author || item.author.id === model.me.id) return null;
    var link = el("a", "link-button", text.report);
    link.href = text["report_" + kind].replace("/0?", "/" + item.id + "?");
    return link;
  }

  function button(label, onClick) {
    var b = el("button", "link-button", label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  // --- the facilitator's confirmations (dialogs in the page, outside the redrawn lists) -----

  function hideOrRestore(kind, item) {
    if (item.hidden) {
      return button(text.show_again, function () { send("restore", { kind: kind, id: item.id }); });
    }
    return button(text.hide, function () { askToHide(kind, item); });
  }

  var hideDialog = $("[data-dialog=hide]");
  var closePollDialog = $("[data-dialog=close-poll]");
  var pending = null;  // what the open dialog will do when confirmed

  function askToHide(kind, item) {
    var form = hideDialog.querySelector("form");
    form.reset();
    hideDialog.querySelector("[data-hide-quote]").textContent = item.body;
    pending = function () {
      var reason = form.reason.value.trim();
      if (!reason) {
        form.reason.setCustomValidity(text.give_reason);
        form.reason.reportValidity();
        return false;
      }
      send("hide", { kind: kind, id: item.id, reason: reason });
      return true;
    };
    hideDialog.showModal();
    form.reason.focus();
  }

  function askToClosePoll(poll) {
    closePollDialog.querySelector("[data-close-poll-question]").textContent = poll.question;
    pending = function () { send("close_poll", { poll_id: poll.id }); return true; };
    closePollDialog.showModal();
  }

  [hideDialog, closePollDialog].forEach(function (dialog) {
    if (!dialog) return;
    var form = dialog.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (pending && pending()) { pending = null; dialog.close(); }
    });
    if (form.reason) form.reason.addEventListener("input", function () { form.reason.setCustomValidity(""); });
    dialog.querySelector("[data-dialog-cancel]").addEventListener("click", function () {
      pending = null;
      dialog.close();
    });
  });

  function renderQuestions() {
    var waiting = [], answered = [];
    model.questions.forEach(function (q) { (q.state === "answered" ? answered : waiting).push(q); });
    waiting.sort(sortMode === "top"
      ? function (a, b) { return b.upvotes - a.upvotes || a.seq - b.seq; }
      : function (a, b) { return b.seq - a.seq; });
    answered.sort(function (a, b) { return a.seq - b.seq; });
    fill($("[data-list=questions]"), waiting.map(questionItem));
    fill($("[data-list=answered]"), answered.map(questionItem));
    var answeredSection = $("[data-answered-section]");
    if (answeredSection) answeredSection.hidden = !answered.length;
  }

  function fill(list, items) {
    if (!list) return;
    list.replaceChildren.apply(list, items);
  }

  function renderMessages() {
    var list = $("[data-list=messages]");
    if (!list) return;
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    var items = Array.from(model.messages.values()).sort(function (a, b) { return a.seq - b.seq; });
    fill(list, items.map(function (m) {
      var item = el("li", "message" + (m.parent_id ? " message--reply" : ""));
      item.dataset.messageId = m.id;
      if (m.parent_id && model.messages.has(m.parent_id)) {
        var parent = model.messages.get(m.parent_id);
        item.appendChild(el("span", "message__parent", "↪ " + (parent.author ? parent.author.name : "")));
      }
      if (m.hidden) item.appendChild(hiddenNotice(m));
      item.appendChild(el("strong", null, m.author ? m.author.name : text.former));
      if (m.author && m.author.guest) { item.appendChild(document.createTextNode(" ")); item.appendChild(el("span", "badge badge--guest", text.guest)); }
      var posted = timeItem(m.created);
      if (posted) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(posted);
      }
      item.appendChild(el("span", "message__body", m.body));
      var actions = el("span", "item-actions");
      if (model.me.id && model.settings.state === "live") {
        actions.appendChild(button(text.reply, function () { startReply(m); }));
      }
      if (model.me.facilitator) {
        var pinned = model.settings.pinned_message_id === m.id;
        actions.appendChild(button(pinned ? text.unpin : text.pin, function () {
          send("pin", { message_id: pinned ? null : m.id });
        }));
        actions.appendChild(hideOrRestore("message", m));
        if (m.author && m.author.id !== model.me.id) {
          actions.appendChild(button(text.mute, function () { send("mute", { user_id: m.author.id, muted: true }); }));
        }
      }
      var report = reportLink("message", m);
      if (report) actions.appendChild(report);
      item.appendChild(actions);
      return item;
    }));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function startReply(message) {
    replyTo = message.id;
    var note = $("[data-replying]");
    note.hidden = false;
    note.replaceChildren(document.createTextNode(text.replying_to.replace("{name}", message.author ? message.author.name : "") + " "));
    note.appendChild(button(text.cancel, function () { replyTo = null; note.hidden = true; }));
    $("#post-body").focus();
  }

  function pollResults(poll) {
    var list = el("ul", "poll__results");
    var total = poll.options.reduce(function (sum, o) { return sum + (o.votes || 0); }, 0);
    poll.options.forEach(function (option) {
      var item = el("li", "poll__option");
      item.appendChild(el("span", "poll__label", option.label));
      if (option.votes !== undefined) {
        // The server rounds the shares so that they add up to 100% (largest remainder).
        var share = option.percent !== undefined ? option.percent : (total ? Math.round((option.votes / total) * 100) : 0);
        var bar = el("span", "poll__bar");
        bar.style.setProperty("--share", share + "%");
        item.appendChild(bar);
        item.appendChild(el("span", "poll__count", option.votes + " (" + share + "%)"));
      }
      list.appendChild(item);
    });
    return list;
  }

  // The resident's own answer, beside the poll: what they chose and that it is counted.
  function ownAnswer(poll) {
    var chosen = model.pollChoices[poll.id] || [];
    var labels = poll.options.filter(function (o) { return chosen.indexOf(o.id) !== -1; })
      .map(function (o) { return o.label; });
    var note = el("p", "poll__mine");
    note.setAttribute("role", "status");
    note.appendChild(el("span", "poll__tick", "✓ "));
    if (labels.length) note.appendChild(document.createTextNode(text.your_answer.replace("{answer}", labels.join(", ")) + " · "));
    note.appendChild(document.createTextNode(text.answered_poll));
    return note;
  }

  function renderPolls() {
    var box = $("[data-list=polls]");
    if (!box) return;
    var polls = Array.from(model.polls.values()).sort(function (a, b) { return b.seq - a.seq; });
    if (!polls.length) { fill(box, [el("p", "empty", text.no_poll)]); return; }
    fill(box, polls.map(function (poll) {
      var card = el("article", "poll");
      card.dataset.pollId = poll.id;
      var title = el("h3", null, poll.question + " ");
      if (poll.state === "closed") title.appendChild(el("span", "badge badge--ended", text.closed));
      card.appendChild(title);
      var canAnswer = poll.state === "open" && model.me.id && !model.answeredPolls.has(poll.id) && !model.me.muted;
      if (canAnswer) {
        var form = el("form", "poll__form");
        // The choices are one group named by the question, as screen readers announce it.
        var group = el("fieldset", "poll__choices");
        group.appendChild(el("legend", "visually-hidden", poll.question));
        form.appendChild(group);
        poll.options.forEach(function (option) {
          var label = el("label", "toggle");
          var input = document.createElement("input");
          input.type = poll.multiple ? "checkbox" : "radio";
          input.name = "poll-" + poll.id;
          input.value = option.id;
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + option.label));
          group.appendChild(label);
        });
        var submit = el("button", "button button--small", text.vote);
        submit.type = "submit";
        form.appendChild(submit);
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          var chosen = Array.from(form.querySelectorAll("input:checked")).map(function (i) { return Number(i.value); });
          if (!chosen.length) return;
          send("answer_poll", { poll_id: poll.id, option_ids: chosen }).then(function (answer) {
            if (answer.ok) model.pollChoices[poll.id] = chosen;
            if (answer.ok || answer.error === "already") { model.answeredPolls.add(poll.id); render(); }
          });
        });
        card.appendChild(form);
      }
      card.appendChild(pollResults(poll));
      if (model.answeredPolls.has(poll.id)) card.appendChild(ownAnswer(poll));
      if (poll.hide_results && poll.state === "open") card.appendChild(el("p", "meta", text.results_hidden));
      card.appendChild(el("p", "meta", poll.voters + " " + text.people_answered));
      if (model.me.facilitator && poll.state === "open") {
        card.appendChild(button(text.close_poll, function () { askToClosePoll(poll); }));
      }
      return card;
    }));
  }

  function renderProjector() {
    var current = model.questions.get(model.settings.current_question_id);
    $("[data-current-question]").textContent = current ? current.body : "";
    var section = $("[data-current-section]");
    if (section) section.hidden = !current;
    var join = $("[data-join-box]");
    if (join) join.hidden = model.settings.show_join_code === false || model.settings.state === "ended";
    var polls = Array.from(model.polls.values()).sort(function (a, b) { return b.seq - a.seq; });
    var box = $("[data-projector-poll]");
    if (!polls.length) { box.replaceChildren(); return; }
    var poll = polls[0];
    var heading = el("h2", null, poll.question + " ");
    if (poll.state === "closed") heading.appendChild(el("span", "badge badge--ended", text.closed));
    box.replaceChildren(heading, pollResults(poll),
      el("p", "meta", poll.voters + " " + text.people_answered +
        (poll.hide_results && poll.state === "open" ? " · " + text.results_hidden : "")));
  }

  // --- forms --------------------------------------------------------------------------------

  function bindForm(name, build, onDone) {
    var form = $("[data-form=" + name + "]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = build(form);
      if (!payload) return;
      var submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      send(payload.event, payload.data).then(function (answer) {
        submit.disabled = false;
        if (answer.ok) { form.reset(); if (onDone) onDone(); }
        render();
      });
    });
  }

  bindForm("ask", function (form) {
    return { event: "ask", data: { body: form.body.value, client_id: newId(), website: form.website.value } };
  });
  bindForm("post", function (form) {
    var data = { body: form.body.value, client_id: newId(), website: form.website.value };
    if (replyTo) data.parent_id = replyTo;
    return { event: "post", data: data };
  }, function () { replyTo = null; var note = $("[data-replying]"); if (note) note.hidden = true; });
  bindForm("open-poll", function (form) {
    var options = form.options.value.split("\n").map(function (o) { return o.trim(); }).filter(Boolean);
    return { event: "open_poll", data: {
      question: form.question.value, options: options,
      multiple: form.multiple.checked, hide_results: form.hide_results.checked,
    } };
  });

  root.querySelectorAll("form[data-socket]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!socket.connected) return;  // fall back to the plain form
      event.preventDefault();
      send(form.dataset.socket, {}).then(function (answer) { if (answer.ok) window.location.reload(); });
    });
  });
  var lock = $("[data-control=lock]");
  if (lock) lock.addEventListener("change", function () { send("settings", { discussion_locked: lock.checked }); });
  var showJoin = $("[data-control=show-join]");
  if (showJoin) showJoin.addEventListener("change", function () { send("settings", { show_join_code: showJoin.checked }); });
  var slow = $("[data-control=slow-mode]");
  if (slow) slow.addEventListener("change", function () { send("settings", { slow_mode_seconds: Number(slow.value) }); });
  root.querySelectorAll("[data-sort]").forEach(function (b) {
    b.addEventListener("click", function () {
      sortMode = b.dataset.sort;
      root.querySelectorAll("[data-sort]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === b ? "true" : "false");
      });
      renderQuestions();
    });
  });
})();
