// Draw every Vega-Lite chart on the page with the vendored bundle, without eval (the
// expression interpreter keeps the Content-Security-Policy strict).
(function () {
  "use strict";
  function draw(root) {
    root.querySelectorAll("[data-vega-spec]").forEach(function (element) {
      if (element.dataset.drawn) { return; }
      var source = document.getElementById(element.dataset.vegaSpec);
      if (!source || !window.vegaEmbed) { return; }
      element.dataset.drawn = "1";
      var spec = JSON.parse(source.textContent);
      // The spec's own locale (Danish month names, decimal comma) is also Vega's default, for
      // the formats that do not read config.locale (tooltips, axis labels of time units).
      var locale = (spec.config && spec.config.locale) || {};
      var options = {
        actions: false,
        renderer: "svg",
        ast: true,
        expr: window.vegaExpressionInterpreter
      };
      if (locale.number) { options.formatLocale = locale.number; }
      if (locale.time) { options.timeFormatLocale = locale.time; }
      window.vegaEmbed(element, spec, options).then(function () {
        element.setAttribute("data-drawn", "done");
      }).catch(function (error) {
        element.setAttribute("data-drawn", "failed");
        element.textContent = element.dataset.failText || String(error);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
