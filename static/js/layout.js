// Small layout helpers for every page.
(function () {
  "use strict";

  // Folded panels (details[data-open-wide]) save a phone's first screen; wide screens have the
  // room, so they start unfolded there.
  if (window.matchMedia("(min-width: 40rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) {
      panel.open = true;
    });
  }

  // On a phone the menu scrolls sideways: bring the current page's item into its view.
  var menu = document.querySelector(".site-nav ul");
  var current = menu && menu.querySelector("[aria-current=page]");
  if (current && menu.scrollWidth > menu.clientWidth) {
    var item = current.closest("li");
    menu.scrollLeft = Math.max(0, item.offsetLeft - menu.offsetLeft - 16);
  }

  // A table wider (or taller) than its box scrolls inside it: such a box becomes a labelled
  // region that keyboard users can focus and scroll with the arrow keys (WCAG 2.1.1). Boxes
  // that fit stay out of the tab order.

  function labelOf(box) {
    var caption = box.querySelector("caption");
    var figcaption = box.closest("figure") && box.closest("figure").querySelector("figcaption");
    var heading = caption || figcaption;
    return heading ? heading.textContent.trim() : "";
  }

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var label = labelOf(box);
      box.setAttribute("tabindex", "0");
      if (label) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label);
      }
      box.setAttribute("data-scroll-region", "");
    } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }

  function updateAll() {
    document.querySelectorAll(".table-scroll").forEach(update);
  }

  updateAll();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(updateAll, 150);
  });
})();
