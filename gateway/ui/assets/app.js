// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  // Confirm destructive actions.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // Live pages refresh their content by polling while visible and while
  // the person is not typing in a form.
  var main = document.getElementById("main");
  var secs = main && parseInt(main.getAttribute("data-live"), 10);
  if (!secs) return;
  setInterval(function () {
    if (document.hidden) return;
    var a = document.activeElement;
    if (a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA")) return;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("main");
        if (next) main.innerHTML = next.innerHTML;
      })
      .catch(function () {});
  }, secs * 1000);
})();
