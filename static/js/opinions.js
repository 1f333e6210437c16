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
