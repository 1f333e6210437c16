// Survey forms: a question with a condition is shown only while the earlier answer it depends
// on is chosen. The server decides too (a hidden question's answer is discarded), so this only
// keeps the page short; without JavaScript every question shows with its "only if" hint.
(function () {
  "use strict";
  document.querySelectorAll("[data-survey-form]").forEach(function (form) {
    var dependants = form.querySelectorAll("[data-condition-question]");
    if (!dependants.length) return;
    function update() {
      dependants.forEach(function (fieldset) {
        var name = fieldset.getAttribute("data-condition-question");
        var choice = fieldset.getAttribute("data-condition-choice");
        var input = form.querySelector('input[name="' + name + '"][value="' + choice + '"]');
        fieldset.hidden = !(input && input.checked);
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();
