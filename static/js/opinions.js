// A conversation's page follows its opinion map live: it joins the conversation's room on the
// /opinions namespace and, when a new map is announced, fetches the map fragment again (after a
// short random pause, so a thousand phones do not ask at the same instant). Voting itself is a
// plain form and works without this script.
(function () {
  "use strict";
  var article = document.querySelector("[data-conversation]");
  var holder = document.getElementById("opinion-map-live");
  if (!article || !holder || typeof window.io === "undefined") return;
  var conversation = Number(article.getAttribute("data-conversation"));
  var shownVersion = function () {
    var block = holder.querySelector("[data-version]");
    return block ? Number(block.getAttribute("data-version") || -1) : -1;
  };
  var waiting = null;

  function refresh() {
    waiting = null;
    fetch(holder.getAttribute("data-fragment"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) holder.innerHTML = html; })
      .catch(function () { /* the next update tries again */ });
  }

  var socket = window.io("/opinions", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    socket.emit("join", { conversation: conversation }, function (answer) {
      if (answer && answer.ok && answer.version !== null && answer.version > shownVersion()) refresh();
    });
  });
  socket.on("map", function (news) {
    if (!news || news.conversation !== conversation || news.version <= shownVersion()) return;
    if (waiting === null) waiting = window.setTimeout(refresh, Math.random() * 1500);
  });
})();

// Voting and adding a statement without leaving the page: the next statement replaces the
// card in place, and what happened is said next to the form the resident used. Without this
// script the same forms post and the page reloads.
(function () {
  "use strict";
  var box = document.querySelector("[data-vote-box]");
  if (!box || !window.fetch) return;
  var card = box.querySelector("[data-vote-card]");
  var voteMessage = box.querySelector("[data-vote-message]");

  function post(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, data: answer }; });
    });
  }

  card.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-enhance") !== "opinion-vote") return;
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    post(form, event.submitter).then(function (result) {
      if (!result.ok || !result.data.html) {
        voteMessage.textContent = result.data.message || "";
        buttons.forEach(function (b) { b.disabled = false; });
        return;
      }
      voteMessage.textContent = "";
      card.innerHTML = result.data.html;
      var next = card.querySelector(".opinion-card__text") || card.querySelector(".notice");
      if (next) {
        if (!next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
        next.focus({ preventScroll: true });
      }
    }).catch(function () { form.submit(); });
  });

  var adding = document.querySelector("form[data-enhance=opinion-statement]");
  if (!adding) return;
  var section = adding.closest("details");
  var thanks = section.querySelector("[data-statement-message]");
  var problem = section.querySelector("[data-statement-error]");
  var field = adding.querySelector("textarea");
  adding.addEventListener("submit", function (event) {
    event.preventDefault();
    var submit = adding.querySelector("button[type=submit]");
    submit.disabled = true;
    post(adding).then(function (result) {
      submit.disabled = false;
      thanks.hidden = !result.ok;
      problem.hidden = result.ok;
      if (result.ok) {
        thanks.textContent = result.data.message;
        field.value = "";  // stored: the text is not needed any more
        field.removeAttribute("aria-invalid");
      } else {
        problem.textContent = result.data.message;  // the typed text stays in the field
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", "body-hint body-error");
        field.focus();
      }
    }).catch(function () { adding.submit(); });
  });
})();
