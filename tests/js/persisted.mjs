// Apollo Client's persisted-queries link against BATT (run by
// tests/backend/test_persisted_queries_apollo.py): hashed queries over GET, the document
// sent only after PERSISTED_QUERY_NOT_FOUND. Prints one JSON line per HTTP request the link
// made, then the answers.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const url = `${process.env.BATT_URL}/graphql`;
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function client() {
  const http = new HttpLink({
    uri: url,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const target = new URL(String(input));
      const body = init?.body ? JSON.parse(init.body) : {};
      console.log(JSON.stringify({
        kind: "request", method: init?.method ?? "GET", status: response.status,
        document: Boolean(target.searchParams.get("query") || body.query),
        etag: response.headers.get("etag"),
      }));
      return response;
    },
  });
  const persisted = new PersistedQueryLink({ sha256, useGETForHashedQueries: true });
  return new ApolloClient({ link: persisted.concat(http), cache: new InMemoryCache() });
}

const CATEGORIES = gql`
  query Categories {
    complaintCategories { code name }
  }
`;

try {
  for (const round of [1, 2]) {  // a fresh client each time: no client-side cache involved
    const { data } = await client().query({ query: CATEGORIES, fetchPolicy: "network-only" });
    console.log(JSON.stringify({ kind: "answer", round, codes: data.complaintCategories.map((c) => c.code) }));
  }
} catch (error) {
  console.log(JSON.stringify({ kind: "fatal", message: String(error) }));
  process.exitCode = 1;
}
