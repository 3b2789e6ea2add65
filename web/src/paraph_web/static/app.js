/* Progressive enhancement only: every page works without this file.
   - htmx requests carry the session's CSRF token as a header (forms carry it as a hidden field);
   - Escape closes the open user menu and a destructive action's question, which also gets a Cancel button;
   - long checklists get a search box (their status then counts the boxes ticked), long pickers their search of
     the whole list; "select all" boxes work;
   - the quote editor's customer and type pickers show their contacts and fields when changed (its totals follow
     the lines: its "Recalculate" button is hidden), a list's column filter the field of that column's values;
   - the first field in error of a refused form takes the focus, and a field's error goes once its value changes;
   - a form's list of people (signers, CC) shows its next row when "Add" is clicked, without loading the page;
   - the browser's time zone is kept in a cookie, for times to be shown in it;
   - an email's preview is as tall as the email;
   - a front user manager is warned before saving a customer's perimeters that would hide it from her. */
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
  // the main menu and the settings menu are disclosures on phones; on wider screens they are always shown: app.css
  // shows them without JavaScript (::details-content), and here they are really opened, so that assistive
  // technologies and browsers without ::details-content see them too (closed again on a narrow screen)
  var wide = window.matchMedia("(min-width: 721px)");
  document.querySelectorAll("details.nav-menu, details.settings-nav").forEach(function (menu) {
    var syncMenu = function () { menu.open = wide.matches; };
    syncMenu();
    wide.addEventListener("change", syncMenu);
  });
  // on a phone, a list's filters after the first (its search) fold behind a "More filters (n)" button, n the
  // number of them filtering now (not at their default: empty, or the select's data-default), so that the list
  // is not a screen below them (macros.html filter_form, app.css .folded); without JavaScript every filter shows
  document.querySelectorAll("form.filters[data-more-filters]").forEach(function (form) {
    var folding = Array.prototype.slice.call(form.querySelectorAll(":scope > .field")).slice(1);
    if (folding.length < 2) { return; }
    var filtering = folding.filter(function (field) {
      var control = field.querySelector("select, input:not([type=hidden]):not([hidden])");
      // a select choosing which field is shown (a custom column) filters through that field: one filter, not two
      var chooser = control && control.id && form.querySelector('[data-shown-by="' + control.id + '"]');
      return control && !chooser && control.value !== (control.getAttribute("data-default") || "");
    }).length;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "secondary outline more-filters";
    toggle.id = form.id + "-more";
    toggle.textContent = form.dataset.moreFilters + (filtering ? " (" + filtering + ")" : "");
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(!form.classList.toggle("folded")));
    });
    // a filter whose value is said wrong next to it (a number column's) is left in view, to be corrected
    var wrong = folding.some(function (field) { return field.classList.contains("has-error"); });
    toggle.setAttribute("aria-expanded", String(wrong));
    if (!wrong) { form.classList.add("folded"); }
    form.insertBefore(toggle, form.querySelector("button[type=submit]"));
  });
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
  // a form the API refused is drawn again with its errors beside the fields (macros.html: aria-invalid): the
  // first field in error takes the focus, in the middle of the window, so a person sees (and a screen reader
  // says) what to correct; without JavaScript the URL's fragment brings the form into view
  // (once the page is loaded: the browser's own move to a fragment would take the focus back)
  var invalid = document.querySelector('main [aria-invalid="true"]');
  if (invalid) {
    window.addEventListener("load", function () {
      invalid.focus({preventScroll: true});
      invalid.scrollIntoView({block: "center"});
    });
  }
  // the error beside a field was about the value sent: once the person changes it, it is no longer said (a
  // corrected "2" stayed red with "Between 1 and 60." until the form was sent again)
  function valueChanged(event) {
    var field = event.target;
    if (!field.id || field.getAttribute("aria-invalid") !== "true") { return; }
    field.removeAttribute("aria-invalid");
    var error = document.getElementById(field.id + "-error");
    if (error) { error.hidden = true; }
    var frame = field.closest(".field");
    if (frame) { frame.classList.remove("has-error"); }
  }
  document.addEventListener("input", valueChanged);
  document.addEventListener("change", valueChanged);
  // a "select all" box (data-select-all="<checkboxes' name>", hidden without JavaScript) ticks or unticks the
  // boxes of that name in its form, and shows whether all, some or none of them are ticked
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var boxes = Array.prototype.slice.call(all.form.querySelectorAll(
      'input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]'));
    var show = function () {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    };
    (all.closest("label") || all).hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", show); });
    show();
  });
  // the quote editor's totals follow the lines as they are typed (htmx, quotes/edit.html): its "Recalculate"
  // button, there for browsers without JavaScript, is hidden (app.css); Enter in a field still recalculates (the
  // form's default button)
  var liveTotals = document.getElementById("editor-totals");
  var editor = liveTotals && window.htmx && liveTotals.closest("form");
  if (editor) { editor.classList.add("live-totals"); }
  // a long picker's search box and status (pickers.html): htmx refreshes the select's options with the matches;
  // ArrowDown goes on to the select, where the arrows choose among them
  document.querySelectorAll("[data-picker-search]").forEach(function (element) {
    element.hidden = false;
    var select = document.getElementById(element.getAttribute("data-picker-search"));
    if (element.tagName !== "INPUT" || !select) { return; }
    element.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
    });
  });
  // a long checklist's matches found by its search (pickers.html checklist): those its list already shows are
  // left out (its status then says so when none is left: "tick it to add it" would be said of a box ticked
  // already); one ticked joins the list, so that the next search keeps it
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-picker-found]").forEach(function (found) {
      var list = document.getElementById(found.getAttribute("data-picker-found"));
      var left = 0;
      found.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        var shown = list && Array.prototype.some.call(list.querySelectorAll("input[type=checkbox]"),
                                                      function (listed) { return listed.value === box.value; });
        if (shown) { box.closest("li").remove(); left += 1; }
      });
      var status = document.getElementById(found.getAttribute("data-picker-found") + "-status");
      if (left && !found.querySelector("input[type=checkbox]") && status && status.hasAttribute("data-all-listed")) {
        status.textContent = status.getAttribute("data-all-listed");
      }
    });
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    var found = box.closest && box.closest("[data-picker-found]");
    if (!found || !box.checked) { return; }
    var list = document.getElementById(found.getAttribute("data-picker-found"));
    list.insertBefore(box.closest("li"), list.firstChild);
    box.focus();
  });
  // a long checklist's status (pickers.html status) says how many boxes are ticked and not saved yet, in the
  // words its data-ticked-one / -many hold, instead of the search's "tick it to add it" once that is done;
  // the search's words again when none is
  document.addEventListener("change", function (event) {
    var box = event.target;
    var checklist = box.type === "checkbox" && box.closest && box.closest("fieldset.checklist");
    var status = checklist && checklist.querySelector("[data-ticked-one]");
    if (!status) { return; }
    var ticked = Array.prototype.filter.call(checklist.querySelectorAll("input[type=checkbox]"),
                                             function (each) { return each.checked && !each.defaultChecked; }).length;
    if (!status.hasAttribute("data-search-said")) { status.setAttribute("data-search-said", status.textContent); }
    status.textContent = ticked === 0 ? status.getAttribute("data-search-said")
      : ticked === 1 ? status.getAttribute("data-ticked-one")
      : status.getAttribute("data-ticked-many").replace("{num}", String(ticked));
  });
  // a form's list of people shows one row, its "Add" button (macros.html add_row_button) the next hidden one, the
  // focus put in it, and goes once every row shows; without JavaScript the button is a link to the page with one
  // more row shown
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var list = document.getElementById(button.getAttribute("data-add-row"));
    if (!list) { return; }
    button.addEventListener("click", function (event) {
      var next = list.querySelector("[data-row][hidden]");
      if (!next) { return; }
      event.preventDefault();
      next.hidden = false;
      var control = next.querySelector("select, input:not([type=hidden]), textarea");
      if (control) { control.focus(); }
      button.hidden = !list.querySelector("[data-row][hidden]");
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
  // a field shown for one choice of a select (data-shown-by="<select id>", data-shown-for="<that choice>": a list's
  // value filter, whose field is the chosen custom column's); hidden, its named controls are disabled, so not sent
  document.querySelectorAll("[data-shown-by]").forEach(function (field) {
    var select = document.getElementById(field.getAttribute("data-shown-by"));
    if (!select) { return; }
    select.addEventListener("change", function () {
      var shown = field.getAttribute("data-shown-for") === select.value;
      field.hidden = !shown;
      field.querySelectorAll("input[name], select[name]").forEach(function (control) { control.disabled = !shown; });
    });
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
      // what the preview replaces (the company's "no logo yet"): hidden while a chosen image is shown
      var replaced = document.querySelectorAll("[data-hidden-by-preview='" + image.id + "']");
      function previewed(shown) {
        box.hidden = !shown;
        replaced.forEach(function (element) { element.hidden = shown; });
      }
      if (!file || !/^image\/(png|jpeg)$/.test(file.type)) { previewed(false); return; }
      var reader = new FileReader();
      reader.onload = function () { image.src = reader.result; previewed(true); };
      reader.readAsDataURL(file);
    });
  });
  // a destructive action's question (macros.confirm): its Cancel closes it, back on the button that opened it;
  // opened, it is moved left as far as it would run off the screen's right edge (never past its left edge), and
  // it opens above its button when it would run off the screen's bottom and fits above (a button at the end of
  // the page: under it, the question ran over the footer, cut); fitting neither way, it opens on the roomier side
  document.querySelectorAll("[data-closes-confirm]").forEach(function (cancel) {
    cancel.hidden = false;
    cancel.addEventListener("click", function () { closeConfirm(cancel.closest("details.confirm")); });
  });
  function closeConfirm(question) {
    question.removeAttribute("open");
    question.querySelector("summary").focus();
  }
  function placeConfirm(question) {
    var box = question.querySelector(".confirm-box");
    if (!question.open || !box) { return; }
    var margin = 16, screenWidth = document.documentElement.clientWidth;  // without the scroll bar, unlike vw
    box.style.left = "";
    box.style.maxWidth = Math.min(416, screenWidth - 2 * margin) + "px";
    var rect = box.getBoundingClientRect();
    var overflow = Math.ceil(rect.right - (screenWidth - margin));
    if (overflow > 0) { box.style.left = -Math.min(overflow, Math.floor(rect.left - margin)) + "px"; }
    var button = question.querySelector("summary").getBoundingClientRect();
    var needed = box.offsetHeight + margin, screenHeight = document.documentElement.clientHeight;
    var below = screenHeight - button.bottom, above = button.top;
    question.classList.toggle("opens-above", below < needed && (above >= needed || above > below));
  }
  document.querySelectorAll("details.confirm:not(.edit-in-place)").forEach(function (question) {
    question.addEventListener("toggle", function () {
      placeConfirm(question);
      // seen whole, when it fits neither above nor below (a phone held sideways): the page scrolls to it
      if (question.open) { question.querySelector(".confirm-box").scrollIntoView({block: "nearest"}); }
    });
  });
  // an email's preview (macros.email_preview) is as tall as the email, not a box that scrolls inside the page: its
  // frame runs no script, so the page measures what it drew (again when the width changes how it wraps)
  function fitEmailPreview(frame) {
    var drawn = frame.contentDocument && frame.contentDocument.documentElement;
    if (!drawn) { return; }
    frame.style.height = "0";  // measured in a frame lower than the email: a taller one would count its own height
    frame.style.height = drawn.scrollHeight + 2 + "px";  // + its 1 px borders
  }
  function fitEmailPreviews() { document.querySelectorAll("iframe.email-preview").forEach(fitEmailPreview); }
  document.addEventListener("load", function (event) {  // a frame's load does not bubble: caught on its way down
    if (event.target.matches && event.target.matches("iframe.email-preview")) { fitEmailPreview(event.target); }
  }, true);
  fitEmailPreviews();  // a frame drawn before this script ran
  window.addEventListener("resize", function () {
    document.querySelectorAll("details.confirm:not(.edit-in-place)[open]").forEach(placeConfirm);
    fitEmailPreviews();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
    document.querySelectorAll("details.confirm:not(.edit-in-place)[open]").forEach(closeConfirm);
  });
  // a customer's perimeters, changed by a front user manager (data-my-perimeters: hers, as JSON): warned before
  // saving when the perimeters ticked would hide the customer from her (some ticked, none of them hers)
  document.querySelectorAll("[data-my-perimeters]").forEach(function (form) {
    var mine = JSON.parse(form.getAttribute("data-my-perimeters"));
    var warning = document.getElementById(form.getAttribute("data-hides-warning"));
    function check() {
      var ticked = Array.prototype.map.call(form.querySelectorAll('input[name="perimeter_ids"]:checked'),
                                            function (box) { return box.value; });
      warning.hidden = ticked.length === 0 || ticked.some(function (id) { return mine.indexOf(id) >= 0; });
    }
    form.addEventListener("change", check);
    check();
  });
})();
