/* Embedded signing: the signing page inside an integrator's page (an iframe; see api/signing_pages.py,
   embed_page). Tells the parent window what happens, {type: "paraph:loaded" | "paraph:signed" |
   "paraph:declined", request_id, participant_id, action}, by postMessage to the one origin the embed URL was
   made for (never "*": the request and participant ids are for that page only). Loaded before the page's
   own script, it learns the outcome from that script's calls to /api/v1/sign/<token>/sign|approve|decline
   (the page's act endpoints), so the page's script stays the same whether it is embedded or not. */
(function () {
  "use strict";
  var me = document.currentScript;
  var origin = me.dataset.origin, returnUrl = me.dataset.returnUrl;
  var ids = {request_id: me.dataset.request, participant_id: me.dataset.participant};
  var framed = window.parent !== window;
  var outcomes = {sign: "paraph:signed", approve: "paraph:signed", decline: "paraph:declined"};
  var ACT = /\/api\/v1\/sign\/[^/?#]+\/(sign|approve|decline)(?:[?#]|$)/;

  function tell(type, action) {
    if (!framed) return;
    var message = {type: type, request_id: ids.request_id, participant_id: ids.participant_id};
    if (action) message.action = action;
    window.parent.postMessage(message, origin);
  }

  function acted(action) {
    tell(outcomes[action], action);
    // then where the integrator asked (on one of the license's embed origins), once the message is read
    if (returnUrl) window.setTimeout(function () { window.location.assign(returnUrl); }, 1200);
  }

  var pageFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
    var act = method === "POST" ? ACT.exec(url) : null;
    var answer = pageFetch.apply(this, arguments);
    if (!act) return answer;
    return answer.then(function (response) {
      if (response.ok) acted(act[1]);
      return response;
    });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { tell("paraph:loaded"); });
  } else {
    tell("paraph:loaded");
  }
})();
