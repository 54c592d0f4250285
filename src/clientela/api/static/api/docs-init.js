/* Starts Swagger UI from the vendored bundle; the settings come from a JSON block in the
   page, so the page needs no inline script (Content-Security-Policy: script-src 'self'). */
(function () {
  "use strict";
  var body = document.querySelector("body");
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  var csrfToken = body.dataset.csrfToken;
  if (csrfToken) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = csrfToken;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
