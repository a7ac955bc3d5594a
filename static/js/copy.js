/* Copy buttons ([data-copy]: the text to copy) and print buttons ([data-print]).
   Without JavaScript they stay hidden and the values remain readable on the page. */
(function () {
  "use strict";
  var status = document.getElementById("copy-status");

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function done(button) {
    var label = button.getAttribute("data-label") || button.textContent;
    var copied = (status && status.getAttribute("data-copied")) || "Copied";
    button.setAttribute("data-label", label);
    button.textContent = copied + " \u2713";
    if (status) { status.textContent = copied + ": " + button.getAttribute("data-copy"); }
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { done(button); },
          function () { if (fallbackCopy(text)) { done(button); } }
        );
      } else if (fallbackCopy(text)) {
        done(button);
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
