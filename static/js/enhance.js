// Progressive enhancement: supporting a proposal and voting on comments update the page in
// place, and "Reply" opens the reply form under its comment. Without JavaScript the same forms
// submit normally and the page reloads, and "Reply" opens a page with the form.
(function () {
  "use strict";

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function enhanceSupport(form) {
    var box = form.closest("[data-support-box]");
    var button = form.querySelector("button");
    var wanted = form.querySelector("input[name=support]");
    var message = box.querySelector("[data-support-message]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      post(form)
        .then(function (result) {
          message.textContent = result.data.message || "";
          if (!result.ok) return;
          var supported = result.data.supported;
          box.querySelector("[data-support-count]").textContent = result.data.support_count;
          wanted.value = supported ? "0" : "1";
          button.setAttribute("aria-pressed", supported ? "true" : "false");
          button.classList.toggle("button--secondary", supported);
          button.textContent = supported ? button.dataset.labelWithdraw : button.dataset.labelSupport;
          var qualifies = !!result.data.qualifies;
          box.querySelectorAll("[data-qualifies-badge], [data-qualifies-note]").forEach(
            function (element) { element.hidden = !qualifies; }
          );
          if (result.data.supports_left_text) {
            document.querySelectorAll("[data-supports-left]").forEach(function (left) {
              left.textContent = result.data.supports_left_text;
            });
          }
          updateAllowance(result.data.supports_left);
        })
        .catch(function () { form.submit(); })
        .finally(function () {
          var reason = box.querySelector("[data-none-left]");
          button.disabled = !!(reason && !reason.hidden);
        });
    });
  }

  // With no supports left, every "Support" button on the page (not "Withdraw support") is
  // disabled and says why; withdrawing one enables them again.
  function updateAllowance(left) {
    if (left === null || left === undefined) return;
    document.querySelectorAll("form[data-enhance=support]").forEach(function (form) {
      var box = form.closest("[data-support-box]");
      var supporting = form.querySelector("input[name=support]").value === "1";
      var button = form.querySelector("button");
      var none = left <= 0 && supporting;
      button.disabled = none;
      var reason = box.querySelector("[data-none-left]");
      if (reason) reason.hidden = !none;
      if (none && reason) {
        button.setAttribute("aria-describedby", reason.id);
      } else {
        button.removeAttribute("aria-describedby");
      }
    });
  }

  // A comment's vote buttons send the page's one vote form to their comment's address.
  function vote(button) {
    var form = document.getElementById("comment-votes");
    var body = new FormData(form);
    body.append("value", button.value);
    var actions = button.closest(".comment__actions");
    fetch(button.formAction, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) return;
      actions.querySelectorAll("button[data-vote]").forEach(function (other) {
        var value = Number(other.value);
        other.querySelector("[data-count]").textContent =
          value === 1 ? result.data.upvotes : result.data.downvotes;
        other.setAttribute("aria-pressed", result.data.vote === value ? "true" : "false");
      });
    }).catch(function () {
      form.action = button.formAction;
      var value = document.createElement("input");
      value.type = "hidden";
      value.name = "value";
      value.value = button.value;
      form.appendChild(value);
      form.submit();
    });
  }

  // "Reply" under a comment: a copy of the page's one reply form goes there (one at a time).
  function openReply(link) {
    var template = document.getElementById("reply-form");
    if (!template) return false;
    var open = document.querySelector(".comment form.reply");
    if (open) open.remove();
    var form = template.content.firstElementChild.cloneNode(true);
    form.querySelector("input[name=parent_id]").value = link.dataset.reply;
    form.querySelector("[data-reply-cancel]").addEventListener("click", function () {
      form.remove();
      link.focus();
    });
    link.closest(".comment__actions").after(form);
    form.querySelector("textarea").focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply]");
    if (link && openReply(link)) event.preventDefault();
    var button = event.target.closest("button[data-vote]");
    if (button && document.getElementById("comment-votes")) {
      event.preventDefault();
      vote(button);
    }
  });

  document.querySelectorAll("form[data-enhance=support]").forEach(enhanceSupport);
})();
