"""What the complaint domain offers the domains that work on complaints (the command center,
the agencies' responders) to build their GraphQL on: the complaint's object types
(``types``) and the payload and errors of work on a case (``cases``).

The domain's own ``graphql`` package (its root queries and mutations) is private to it:
no other domain imports it (import-linter, pyproject.toml).
"""
