"""Among Tani: farmers selling produce directly to buyers, and crop-problem help from the
Agriculture Office (extension officers answer within 3×24 hours).

No issue has asked for its API yet; the package holds its place in the layout so the domain
has one home when it does (models, services, errors, graphql/ — see shared STYLE.md).
"""
