"""Among Kota: city information for residents and tourists — tourism, city conditions, social
life, small businesses (UMKM), public services.

No issue has asked for its API yet; the package holds its place in the layout so the domain
has one home when it does (models, services, errors, graphql/ — see shared STYLE.md).
"""
