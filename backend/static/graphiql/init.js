// GraphiQL against this server: queries and mutations over HTTP POST, subscriptions over
// graphql-transport-ws on the same URL (ws: or wss: as the page was loaded). The headers
// pane is sent with both: over the WebSocket as the connection_init payload, which is where
// the server reads {"Authorization": "Bearer <accessToken>"}.
(function () {
  "use strict";
  var path = window.location.pathname;
  var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: path,
    subscriptionUrl: scheme + "//" + window.location.host + path,
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    headerEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultQuery: "# Sign in with the login mutation, then add the header\n" +
      "# {\"Authorization\": \"Bearer <accessToken>\"} below.\n" +
      "# Subscriptions (commandCenterEvents, caseUpdates) run over a WebSocket with the\n" +
      "# same header.\n\n" +
      "query Agencies {\n  skpds { id code name }\n}\n",
  }));
})();
