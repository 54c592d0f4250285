// The header's global search: "/" focuses the box (unless the user is typing in a
// field), ArrowDown moves into the live results, Escape or a click elsewhere closes them. Also tells the server the browser's time
// zone (cookie clientela_tz), so case due times are shown in the user's zone.
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(document.activeElement)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && box.form.contains(document.activeElement)) {
      clear();
      box.blur();
    } else if (event.key === "ArrowDown" && document.activeElement === box) {
      var first = document.querySelector("#global-search-results a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  function clear() {
    var results = document.getElementById("global-search-results");
    if (results) results.innerHTML = "";
  }
  // A click outside the box and its results closes them.
  document.addEventListener("click", function (event) {
    var box = document.getElementById("global-search");
    if (box && !box.form.contains(event.target)) clear();
  });
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("clientela_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "clientela_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: the installation's time zone applies */ }
})();
