// "Copy link" on shared pages: copies the address shown beside it and says so. Without
// JavaScript the button stays hidden and the address can be selected and copied by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-share]");
  if (!box) return;
  var button = box.querySelector("[data-copy-link]");
  var field = box.querySelector("[data-share-url]");
  var note = box.querySelector("[data-copied]");
  if (!button || !field || !note) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    function done(ok) { note.textContent = ok ? note.dataset.text : note.dataset.failed; }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
    } else {
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      done(ok);
    }
  });
  field.addEventListener("focus", function () { field.select(); });
})();
