/* certfolio's offline copy. Opened from file://, a page may not fetch() the site's own files,
   and the one file the pages fetch is the search index (the ID-first search in the theme
   overrides). Material's offline plugin writes the index as a script too
   (search/search_index.js: `var __index = ...`): a fetch of search_index.json is answered
   from it. Nothing changes when the site is served over HTTP. */
(function () {
  "use strict";
  if (location.protocol !== "file:" || !window.fetch) return;
  var original = window.fetch.bind(window);
  var loading = null;
  function index(url) {
    loading = loading || new Promise(function (resolve, reject) {
      if (typeof window.__index !== "undefined") return resolve(window.__index);
      var script = document.createElement("script");
      script.src = url.replace(/\.json$/, ".js");
      script.onload = function () { resolve(window.__index); };
      script.onerror = function () { reject(new TypeError("cannot load " + script.src)); };
      document.head.appendChild(script);
    });
    return loading;
  }
  window.fetch = function (input, init) {
    var url = String((input && input.url) || input).split(/[?#]/)[0];
    if (/\/search\/search_index\.json$/.test(url)) {
      return index(url).then(function (data) {
        return new Response(JSON.stringify(data), {
          headers: { "Content-Type": "application/json" }
        });
      });
    }
    return original(input, init);
  };
})();
