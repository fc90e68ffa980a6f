/* Starts GraphiQL (served by the portal, see cms/templates/graphiql/ide.html) against the endpoint
   of the page: /graphql (gateway) or /cms/graphql (headless CMS). Based on strawberry's GraphiQL page;
   kept in a file so that the page needs no inline script. */
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  var endpoint = container.getAttribute("data-endpoint") || window.location.pathname;
  var parameters = {};
  window.location.search.slice(1).split("&").forEach(function (entry) {
    var eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = Object.keys(parameters).filter(function (key) { return Boolean(parameters[key]); })
      .map(function (key) { return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]); })
      .join("&");
    window.history.replaceState(null, "", "?" + search);
  }

  var headers = {};
  var csrfToken = window.Cookies.get("csrftoken");
  if (csrfToken) {
    headers["x-csrftoken"] = csrfToken;
  }
  var fetcher = window.GraphiQL.createFetcher({url: new URL(endpoint, window.location.href).toString(),
                                               headers: headers});

  function PortalGraphiQL() {
    var query = window.React.useState(parameters.q || "");
    var variables = window.React.useState(parameters.variables);
    var explorer = window.React.useMemo(function () {
      return window.GraphiQLPluginExplorer.explorerPlugin();
    }, []);
    return window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query[0],
      variables: variables[0],
      onEditQuery: function (value) { query[1](value); updateURL({q: value}); },
      onEditVariables: function (value) { variables[1](value); updateURL({variables: value}); },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true
    });
  }

  window.ReactDOM.createRoot(container).render(window.React.createElement(PortalGraphiQL));
})();
