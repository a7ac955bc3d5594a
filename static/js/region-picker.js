/* Region picker: each change loads only the next level from /api/v1/regions/. No framework. */
(function () {
  "use strict";

  function reset(select) {
    select.length = 1; // keep the "Choose …" option
    select.value = "";
    select.disabled = true;
  }

  function load(picker, select, parentCode, status) {
    var url = select.dataset.apiUrl + "?page_size=500&" +
      encodeURIComponent(select.dataset.parentParam) + "=" + encodeURIComponent(parentCode);
    status.textContent = picker.dataset.loading;
    picker.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var fragment = document.createDocumentFragment();
        data.results.forEach(function (region) {
          fragment.appendChild(new Option(region.name, region.code));
        });
        select.appendChild(fragment);
        select.disabled = false;
        status.textContent = "";
      })
      .catch(function () {
        status.textContent = picker.dataset.failed;
      })
      .finally(function () {
        picker.removeAttribute("aria-busy");
      });
  }

  function init(picker) {
    var selects = Array.prototype.slice.call(picker.querySelectorAll("select"));
    var status = picker.querySelector(".region-status");
    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var deeper = selects.slice(index + 1);
        deeper.forEach(reset);
        if (select.value && deeper.length) {
          load(picker, deeper[0], select.value, status).then(function () {
            if (!deeper[0].disabled) { deeper[0].focus(); }
          });
        }
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-region-picker]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
