// The bell's unread count, live: the server pushes "unread" on /me whenever it changes
// (docs/realtime.md). Without JavaScript the count is the one the page was rendered with.
(function () {
  "use strict";

  var bell = document.querySelector("[data-bell]");
  if (!bell || typeof window.io !== "function") {
    return;
  }
  var badge = bell.querySelector("[data-bell-count]");
  var number = bell.querySelector("[data-bell-number]");
  var socket = window.io("/me", { transports: ["websocket"], reconnectionDelayMax: 10000 });
  socket.on("connect", function () {
    bell.setAttribute("data-live", "on");
  });
  socket.on("disconnect", function () {
    bell.setAttribute("data-live", "off");
  });
  socket.on("unread", function (data) {
    var count = Number(data && data.count) || 0;
    number.textContent = String(count);
    badge.hidden = count === 0;
  });
})();
