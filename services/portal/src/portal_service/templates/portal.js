(function () {
  "use strict";
  var app = document.getElementById("app");
  var L = JSON.parse(app.getAttribute("data-labels"));
  var page = app.getAttribute("data-page");
  var locale = app.getAttribute("data-locale");
  var KEY = "paraph.portal.session";

  function $(id) { return document.getElementById(id); }
  function show(id, on) { $(id).classList.toggle("hidden", on === false); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function session() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save(s) { if (s) { sessionStorage.setItem(KEY, JSON.stringify(s)); } else { sessionStorage.removeItem(KEY); } }
  function fail(message) { var box = $("error"); box.textContent = message || L.error; show("error", true); }
  function authed(on) {
    Array.prototype.forEach.call(document.querySelectorAll(".auth-only"), function (n) {
      n.classList.toggle("hidden", !on);
    });
  }
  // "2027-01-15" -> "15 janv. 2027" / "15 Jan 2027" (a calendar day: read and shown in UTC, never shifted)
  function day(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!m) { return iso || ""; }
    try {
      var format = new Intl.DateTimeFormat(L.date_locale, {day: "numeric", month: "short", year: "numeric",
                                                          timeZone: "UTC"});
      return clientPages.dateText(format, new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
    } catch (e) { return iso; }
  }
  // bytes -> "12 ko", "1,5 Mo" / "12 kB", "1.5 MB" (as the signing page writes a file's size)
  function sizeText(n) { return clientPages.sizeText(n, L); }
  // a status: always its word on a coloured badge (as in the lists)
  function badge(status) { return el("span", {"class": "badge " + status}, L.statuses[status] || status); }
  // a requester or observer, by name (the portal API does not tell a client that a contact was deleted since:
  // that is the staff's business, which the staff app says)
  function person(p) { return p.name || ""; }

  // a refusal in the page's words: the API answers in English, so the message is chosen by the answer's status
  // (``said``: this call's own words by status), the API's words only on an English page
  function problem(resp, said) {
    var own = (said || {})[resp.status] ||
              (resp.status === 429 ? L.too_many_requests : resp.status >= 500 ? L.unavailable : null);
    if (own) { return Promise.resolve(own); }
    return resp.json().then(function (b) { return locale === "en" && b.detail ? b.detail : L.error; },
                            function () { return L.error; });
  }

  function refresh() {
    var s = session();
    if (!s || !s.refresh_token) { return Promise.resolve(false); }
    return fetch("/api/v1/auth/refresh", {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify({refresh_token: s.refresh_token})})
      .then(function (r) { if (!r.ok) { return false; } return r.json().then(function (b) { save(b); return true; }); });
  }

  function api(path, opts, retried) {
    var s = session();
    opts = opts || {};
    var headers = Object.assign({}, opts.headers || {});
    if (s) { headers.Authorization = "Bearer " + s.access_token; }
    return fetch(path, Object.assign({}, opts, {headers: headers})).then(function (r) {
      if (r.status === 401 && !retried) {
        return refresh().then(function (ok) {
          if (ok) { return api(path, opts, true); }
          save(null); start(); throw new Error(L.signed_out);
        });
      }
      if (!r.ok) {
        return problem(r).then(function (m) { var e = new Error(m); e.status = r.status; throw e; });
      }
      return r;
    });
  }
  function json(path, opts) { return api(path, opts).then(function (r) { return r.json(); }); }

  function download(path) {
    return api(path).then(function (r) {
      var name = "document";
      var cd = r.headers.get("Content-Disposition") || "";
      var m = /filename="([^"]+)"/.exec(cd);
      if (m) { name = m[1]; }
      return r.blob().then(function (blob) {
        var a = el("a", {href: URL.createObjectURL(blob), download: name});
        document.body.appendChild(a); a.click(); a.remove();
      });
    }).catch(function (e) { fail(e.message); });
  }

  // the notices above the sign-in form, until she signs in: a client who just chose her password (the staff app's
  // set-password and reset-password pages send her here with ?password_set=1), or who signed in at the staff's
  // sign-in (?portal_account=1: her account opens this portal, and she signs in here)
  var NOTICES = {"password-set": "password_set", "portal-account": "portal_account"};
  var notices = Object.keys(NOTICES).filter(function (id) {
    return new RegExp("[?&]" + NOTICES[id] + "=1(&|$)").test(window.location.search);
  });
  // who is about to sign in, from the staff app's set-password page: /portal?password_set=1#email=…&user_code=…
  // (a fragment: never sent to a server nor written in its logs), written into the sign-in form, then taken out of
  // the address bar
  function prefill() {
    var given = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try { given[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " ")); } catch (e) {}
      }
    });
    if (given.email) { $("login-email").value = given.email; }
    if (given.user_code) { $("login-user-code").value = given.user_code; }
    if (given.email || given.user_code) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      $(given.email ? "login-password" : "login-email").focus();
    }
  }
  // the top bar and the window's title: once signed in, the company whose portal it is ("ACME Paris — Portail
  // client", the license the session is for); before, the portal's own name
  function currentLicense(s) {
    return s && (s.licenses || []).filter(function (l) { return l.license_id === s.license_id; })[0];
  }
  function brand(s) {
    var license = currentLicense(s);
    var name = license && license.name ? L.portal_of.replace("{name}", license.name) : L.portal;
    $("portal-brand").textContent = name;
    document.title = name;
  }

  function login(ev) {
    ev.preventDefault();
    var body = {email: $("login-email").value, password: $("login-password").value};
    var code = $("login-user-code").value.trim();
    if (code) { body.user_code = code; }
    fetch("/api/v1/auth/login", {method: "POST", headers: {"Content-Type": "application/json"},
                                 body: JSON.stringify(body)})
      .then(function (r) {
        // refused with a user code typed: it may name none of this email's accesses (identity's login)
        if (!r.ok) { return problem(r, {401: L.login_failed, 403: code ? L.login_no_access_code : L.login_no_access}).then(fail); }
        return r.json().then(function (b) { save(b); show("error", false); notices = []; start(); });
      }).catch(function () { fail(); });
  }

  // /portal/forgot-password: identity answers the same whether or not the email has an account, and so does the
  // page (the email as typed, in the sentence of the staff's page)
  function forgot(ev) {
    ev.preventDefault();
    var email = $("forgot-email").value.trim();
    fetch("/api/v1/auth/forgot-password", {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify({email: email})})
      .then(function (r) {
        if (!r.ok) { return problem(r).then(fail); }
        show("error", false);
        $("reset-requested").textContent = L.forgot_sent.replace("{email}", email);
        show("reset-requested", true);
        show("forgot-form", false);
      }).catch(function () { fail(); });
  }

  function contracts() {
    show("contracts", true);
    json("/api/v1/portal/contracts").then(function (b) {
      var list = $("contract-list");
      list.textContent = "";
      show("no-contracts", b.items.length === 0);
      b.items.forEach(function (c) {
        var li = el("li", {"class": "contract", "data-contract-id": c.contract_id});
        // the title then its status badge, in a row that wraps (style.css: .contract-head): on a phone the badge
        // goes under the title at its left edge, not indented by its margin
        var head = el("div", {"class": "contract-head"});
        head.appendChild(el("a", {href: "/portal/contracts/" + encodeURIComponent(c.contract_id) + "?lang=" + locale},
                             (L.kinds[c.kind] || c.kind) + " " + c.number + " – " + c.title));
        head.appendChild(badge(c.reader_status || c.status));
        li.appendChild(head);
        var who = L.requester + L.colon + " " + person(c.requester);
        if (c.observers.length) {
          who += " · " + L.observers + L.colon + " " + c.observers.map(person).join(", ");
        }
        li.appendChild(el("div", {"class": "muted"}, who));
        list.appendChild(li);
      });
    }).catch(function (e) { fail(e.message); });
  }

  function meta(dl, label, value) {  // value: a text or an element (a badge)
    if (!value) { return; }
    var d = el("div"), dd = el("dd");
    d.appendChild(el("dt", {}, label));
    if (value.nodeType) { dd.appendChild(value); } else { dd.textContent = String(value); }
    d.appendChild(dd);
    dl.appendChild(d);
  }

  function contract(id) {
    show("contract", true);
    json("/api/v1/portal/contracts/" + encodeURIComponent(id)).then(function (c) {
      const number = document.createElement("span");  // read whole: not "C-" over "2026-00001" on a phone
      number.className = "nowrap";
      number.textContent = c.number;
      $("contract-heading").replaceChildren((L.kinds[c.kind] || c.kind) + " ", number);
      $("contract-title").textContent = c.title || "";
      var dl = $("contract-meta");
      dl.textContent = "";
      if (c.status) {
        var status = badge(c.reader_status || c.status);
        status.id = "contract-status";
        meta(dl, L.status, status);
      }
      meta(dl, L.customer, c.customer_name);
      meta(dl, L.total_label, c.total_formatted || (c.total ? c.total + " " + c.currency : ""));
      meta(dl, L.requester, c.requester && person(c.requester));
      meta(dl, L.salesperson, c.owner_name);
      $("contract-pdf").onclick = function () { download("/api/v1/portal/contracts/" + encodeURIComponent(id) + "/pdf"); };
      // signed by everybody: the sealed copy is the document to download, not the PDF sent for signature. Its
      // signers and approvers get it (and its proof) from their signing link, below; the other readers from the
      // portal's own download, which then gives the sealed copy
      $("contract-pdf").classList.toggle("hidden", Boolean(c.signature && c.signature.signed_pdf));
      $("contract-pdf").textContent = c.signed_document ? L.signed_pdf : L.download;
      $("contract-pdf").classList.toggle("secondary", !c.signed_document);  // then the page's one action: filled
      if (c.signature && c.signature.path) {  // my turn: the signing page, where the document and the consent are read
        var sign = el("a", {"class": "button", id: "contract-sign", href: c.signature.path},
                      c.signature.role === "approver" ? L.approve : L.sign);
        $("contract-actions").appendChild(sign);
      } else if (c.signature && c.signature.signed_pdf) {  // signed by everybody: the sealed copy and its proof
        $("contract-actions").appendChild(el("a", {"class": "button", id: "contract-signed-pdf",
                                                   href: c.signature.signed_pdf}, L.signed_pdf));
        $("contract-actions").appendChild(el("a", {"class": "button secondary", id: "contract-proof-pdf",
                                                   href: c.signature.proof_pdf}, L.proof_pdf));
      }
      var ms = $("milestone-list");
      ms.textContent = "";
      if (!c.milestones.length) { ms.appendChild(el("li", {"class": "muted"}, L.no_milestones)); }
      c.milestones.forEach(function (m) {
        var li = el("li", {"class": "milestone", "data-milestone-id": m.id}, m.title);
        if (m.due_date) { li.appendChild(el("span", {"class": "muted"}, " · " + L.due + " " + day(m.due_date))); }
        if (m.done) { li.appendChild(el("span", {"class": "badge signed"}, L.done)); }
        ms.appendChild(li);
      });
      var at = $("attachment-list");
      at.textContent = "";
      if (!c.attachments.length) { at.appendChild(el("li", {"class": "muted"}, L.no_attachments)); }
      c.attachments.forEach(function (a) {
        // a plain download link (its file name, then its size): the API wants the session's token, so the
        // click fetches it; the href says where it goes
        var li = el("li", {"class": "attachment", "data-attachment-id": a.id});
        var path = "/api/v1/portal/attachments/" + encodeURIComponent(a.id);
        var link = el("a", {href: path, download: a.filename}, a.filename);
        link.onclick = function (ev) { ev.preventDefault(); download(path); };
        li.appendChild(link);
        if (a.size) { li.appendChild(el("span", {"class": "muted size"}, " · " + sizeText(a.size))); }
        at.appendChild(li);
      });
    }).catch(function (e) {  // not (or no longer) shared with this client: its own page, no empty document
      show("contract", false);
      if (e.status !== 404) { fail(e.message); return; }
      var license = currentLicense(session());
      if (license && license.name) { $("contract-missing-ask").textContent = L.contract_missing_ask.replace("{name}", license.name); }
      show("contract-missing", true);
    });
  }

  function act(task, action) {
    var body = {action: action};
    if (action === "decline") {
      var reason = window.prompt(L.decline_reason) || "";
      body.reason = reason;
    }
    json("/api/v1/portal/tasks/" + encodeURIComponent(task.participant_id || task.id) + "/act",
         {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function () { tasks(); }).catch(function (e) { fail(e.message); });
  }

  function tasks() {
    show("tasks", true);
    json("/api/v1/portal/tasks").then(function (b) {
      show("signing-unavailable", b.signing_available === false);
      var list = $("task-list");
      list.textContent = "";
      show("no-tasks", b.items.length === 0);
      b.items.forEach(function (t) {
        var li = el("li", {"class": "task", "data-participant-id": t.participant_id || t.id});
        li.appendChild(el("div", {}, (L.kinds[t.contract_kind] || "") + " " + (t.contract_number || "") + " – " +
                                     (t.contract_title || "")));
        var asked = [];
        if (t.requested_by) { asked.push(L.asked_by + " " + t.requested_by); }
        if (t.expires_at) { asked.push(L.to_do_by + " " + day(t.expires_at)); }
        if (asked.length) { li.appendChild(el("div", {"class": "muted"}, asked.join(" · "))); }
        var actions = el("div", {"class": "actions"});
        var approver = t.action === "approve" || t.role === "approver";
        if (t.sign_path) {
          // the signing page, as the email's link: the document, the consent and a refusal with its reason are
          // there, never an approval or a signature given from this list without reading them
          actions.appendChild(el("a", {"class": "button", href: t.sign_path}, approver ? L.approve : L.sign));
          li.appendChild(actions);
          list.appendChild(li);
          return;
        }
        if (approver) {
          var ok = el("button", {type: "button", "class": "button"}, L.approve);
          ok.onclick = function () { act(t, "approve"); };
          actions.appendChild(ok);
        } else if (t.sign_path) {
          actions.appendChild(el("a", {"class": "button", href: t.sign_path}, L.sign));
        } else {
          var sg = el("button", {type: "button", "class": "button"}, L.sign);
          sg.onclick = function () { act(t, "sign"); };
          actions.appendChild(sg);
        }
        var no = el("button", {type: "button", "class": "button danger"}, L.decline);
        no.onclick = function () { act(t, "decline"); };
        actions.appendChild(no);
        li.appendChild(actions);
        list.appendChild(li);
      });
    }).catch(function (e) { fail(e.message); });
  }

  // -- self-service: my details and my company's (PATCH /api/v1/portal/me/contact | company) --------
  var profileLoaded = {};

  function fieldsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name], select[name]"));
  }
  function valueAt(obj, path) {
    return path.split(".").reduce(function (o, k) { return o && o[k] !== undefined ? o[k] : null; }, obj);
  }
  // a name as the country list compares it: no accents, no case ("etats-unis" is "États-Unis")
  function folded(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim().toLowerCase();
  }
  // the country list (portal.html) on the stored country: its code (what the list posts), or a name typed before
  // the list had it, chosen as the country of that name on the page; a text it does not know is added as it is,
  // so that saving keeps it. The choice shown is remembered (data-shown): unchanged, it is not sent again, and a
  // name stays as it was typed
  function chooseCountry(select, stored) {
    var value = String(stored || "").trim(), wanted = folded(value);
    Array.prototype.forEach.call(select.querySelectorAll("option.kept"), function (o) { o.remove(); });
    var known = Array.prototype.filter.call(select.options, function (o) {
      return o.value && (o.value === value.toUpperCase() || folded(o.textContent) === wanted ||
                         folded(o.getAttribute("data-name")) === wanted);
    })[0];
    if (!known && value) {
      known = el("option", {"class": "kept", value: value}, L.country_kept.replace("{country}", value));
      select.insertBefore(known, select.options[1] || null);
    }
    select.value = known ? known.value : "";
    select.setAttribute("data-shown", select.value);
  }
  // the postcode and the city in the order the chosen country writes them (its option's data-city-first:
  // paraph_platform.addresses, the staff app's customer form's rule); a country not in the list, postcode first
  function orderPlace(select) {
    var option = select.options[select.selectedIndex];
    var postcode = $("company-postal-code-field"), city = $("company-city-field");
    if (option && option.hasAttribute("data-city-first")) { postcode.parentNode.insertBefore(city, postcode); }
    else { postcode.parentNode.insertBefore(postcode, city); }
  }
  function fillProfile(p) {
    profileLoaded = p;
    fieldsOf($("contact-form")).forEach(function (i) { i.value = valueAt(p.contact, i.name) || ""; });
    fieldsOf($("company-form")).forEach(function (i) {
      if (i.tagName === "SELECT") { chooseCountry(i, valueAt(p.company, i.name)); } else { i.value = valueAt(p.company, i.name) || ""; }
    });
    orderPlace($("company-address.country"));
    $("company-name").textContent = p.company && p.company.name ? "– " + p.company.name : "";
  }
  function clearErrors(form) {
    fieldsOf(form).forEach(function (i) {
      i.removeAttribute("aria-invalid");
      var e = $(i.id + "-error"); e.textContent = ""; e.classList.add("hidden");
    });
  }
  // an API field message as the client reads it; a phone number refused, with the examples the API gave of the country
  // it was read in (paraph_platform.phones.phone_error)
  function fieldError(m) {
    var phone = /^Not a valid phone number in [A-Z]{2}: e\.g\. (.+) or (\+.+)\.$/.exec(m);
    // each example on one line (no-break spaces and hyphens): "+1" alone at a line's end reads as no number
    var whole = function (n) { return n.replace(/ /g, "\u00a0").replace(/-/g, "\u2011"); };
    if (phone) { return L.phone_invalid.replace("{national}", whole(phone[1])).replace("{international}", whole(phone[2])); }
    return L.field_errors[m] || m;
  }
  function flatErrors(errors, prefix, out) {
    Object.keys(errors || {}).forEach(function (k) {
      var v = errors[k], name = prefix ? prefix + "." + k : k;
      if (Array.isArray(v)) { out[name] = v.map(fieldError).join(" "); } else if (v && typeof v === "object") { flatErrors(v, name, out); }
    });
    return out;
  }
  function changedBody(form, target) {
    var body = {}, before = target === "contact" ? profileLoaded.contact : profileLoaded.company;
    fieldsOf(form).forEach(function (i) {
      var value = i.value.trim(), old = i.tagName === "SELECT" ? i.getAttribute("data-shown") : valueAt(before, i.name) || "";
      if (value === old) { return; }
      var parts = i.name.split(".");
      if (parts.length === 2) { body[parts[0]] = body[parts[0]] || {}; body[parts[0]][parts[1]] = value; }
      else { body[i.name] = value === "" && i.name !== "first_name" ? null : value; }
    });
    return body;
  }
  function saveProfile(ev) {
    ev.preventDefault();
    var form = ev.target, target = form.getAttribute("data-target"), notice = $(form.id + "-notice");
    clearErrors(form);
    notice.classList.add("hidden");
    var body = changedBody(form, target);
    if (!Object.keys(body).length) {
      notice.className = "notice ok"; notice.textContent = L.unchanged; return;
    }
    var s = session();
    fetch("/api/v1/portal/me/" + target, {method: "PATCH", body: JSON.stringify(body),
          headers: {"Content-Type": "application/json", "Authorization": "Bearer " + (s && s.access_token)}})
      .then(function (r) {
        return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; });
      }).then(function (res) {
        if (res.ok) {
          fillProfile(res.body);
          notice.className = "notice ok"; notice.textContent = L.saved; return;
        }
        if (res.status === 401) { return refresh().then(function (ok) { if (ok) { saveProfile(ev); } else { save(null); start(); } }); }
        var errors = flatErrors(res.body.errors || {}, "", {});
        Object.keys(errors).forEach(function (name) {
          var input = form.querySelector("[name='" + name + "']");
          if (!input) { return; }
          input.setAttribute("aria-invalid", "true");
          var e = $(input.id + "-error"); e.textContent = errors[name]; e.classList.remove("hidden");
        });
        notice.className = "notice err";
        notice.textContent = Object.keys(errors).length ? L.fix_errors : (res.body.detail || L.error);
      }).catch(function () { fail(); });
  }
  function profile() {
    show("profile", true);
    json("/api/v1/portal/me/profile").then(fillProfile).catch(function (e) { fail(e.message); });
  }
  $("contact-form").addEventListener("submit", saveProfile);
  $("company-form").addEventListener("submit", saveProfile);
  $("company-address.country").addEventListener("change", function (ev) { orderPlace(ev.target); });

  function start() {
    ["login", "forgot", "contracts", "contract", "contract-missing", "tasks", "profile"].forEach(function (id) { show(id, false); });
    var s = session();
    authed(!!s);
    brand(s);
    Object.keys(NOTICES).forEach(function (id) { show(id, !s && notices.indexOf(id) >= 0); });
    if (!s) { show(page === "forgot" ? "forgot" : "login", true); if (page !== "forgot") { prefill(); } return; }
    var client = s.role === "client";
    $("nav-contracts").classList.toggle("hidden", !client);
    $("nav-profile").classList.toggle("hidden", !client);
    if (page === "tasks" || !client) { tasks(); }  // collaborators (staff) only have tasks here
    else if (page === "profile") { profile(); }
    else if (page === "contract") { contract(app.getAttribute("data-contract-id")); }
    else { contracts(); }
  }

  $("login-form").addEventListener("submit", login);
  $("forgot-form").addEventListener("submit", forgot);
  $("logout").addEventListener("click", function () {
    var s = session();
    if (s && s.refresh_token) {
      fetch("/api/v1/auth/logout", {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({refresh_token: s.refresh_token})});
    }
    save(null); start();
  });
  start();
}());
