/* Progressive enhancement only: every page works without this file.
   - htmx requests carry the session's CSRF token as a header (forms carry it as a hidden field);
   - Escape closes the open user menu;
   - long checklists get a search box;
   - the quote editor's customer and type pickers show their contacts and fields when changed;
   - the browser's time zone is kept in a cookie, for times to be shown in it. */
(function () {
  "use strict";
  // the browser's time zone, for the server to show times in it (i18n.select_timezone); from the next page on
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {  // "Europe/Paris": letters, digits, _ + - /
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* an old browser: times stay in UTC */ }
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  // the main menu is a disclosure on phones; on wider screens it is always shown: app.css shows it without
  // JavaScript (::details-content), and here it is really opened, so that assistive technologies and
  // browsers without ::details-content see it too (closed again on a narrow screen)
  var navMenu = document.querySelector("details.nav-menu");
  if (navMenu) {
    var wide = window.matchMedia("(min-width: 721px)");
    var syncMenu = function () { navMenu.open = wide.matches; };
    syncMenu();
    wide.addEventListener("change", syncMenu);
  }
  // a long checklist (macros.html checklist) gets its search box: typing hides the choices that do not match
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter"));
    if (!list) { return; }
    input.hidden = false;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = needle !== "" && item.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  });
  // a button with data-copy="<element id>" copies that element's text (a secret shown once)
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });
  // a picker with data-refresh (the quote editor's customer and type) shows what depends on it at once: the
  // form is posted with action=refresh (without JavaScript, a button in <noscript> does the same)
  document.querySelectorAll("select[data-refresh]").forEach(function (select) {
    select.addEventListener("change", function () {
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "refresh";
      select.form.appendChild(action);
      select.form.submit();
    });
  });
  // a GET picker with data-autosubmit (the portal sharing's requester) reloads the page for the choice at once
  // (without JavaScript, a button in <noscript> does the same)
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // a file input with data-preview="<img id>" (the company logo) shows the chosen image before it is uploaded
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    var image = document.getElementById(input.getAttribute("data-preview"));
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      // the error shown next to the field was about the file sent before: a new choice replaces it
      var error = document.getElementById(input.id + "-error");
      if (error) { error.hidden = true; input.removeAttribute("aria-invalid"); }
      var box = document.getElementById(image.id + "-box") || image;
      if (!file || !/^image\/(png|jpeg)$/.test(file.type)) { box.hidden = true; return; }
      var reader = new FileReader();
      reader.onload = function () { image.src = reader.result; box.hidden = false; };
      reader.readAsDataURL(file);
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
