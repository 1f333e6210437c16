// The ballot of a participatory budget: as projects are ticked, a knapsack ballot shows the
// money left, and an approval ballot stops more ticks than it allows. The server checks the
// same rules; without JavaScript its answer says what to change.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) return;
  var money = Number(form.dataset.money);
  var max = Number(form.dataset.max || 0);
  var left = form.querySelector("[data-left]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=projects]"));
  var number = new Intl.NumberFormat(document.documentElement.lang || "th");

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; });
    if (left) {
      var spent = ticked.reduce(function (sum, box) { return sum + Number(box.dataset.cost); }, 0);
      left.textContent = number.format(money - spent);
      left.classList.toggle("ballot__over", spent > money);
      boxes.forEach(function (box) {
        box.disabled = !box.checked && spent + Number(box.dataset.cost) > money;
      });
    }
    if (max) {
      boxes.forEach(function (box) { box.disabled = !box.checked && ticked.length >= max; });
    }
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
