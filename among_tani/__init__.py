"""Among Tani: farmers selling produce directly to buyers, and crop-problem help from the
Agriculture Office (extension officers answer within 3×24 hours).

Three sub-packages, one Tortoise app each:

- ``registry`` (``tani_registry``): who takes part — commodities, farmer and buyer profiles and
  their review, extension officers (PPL) and the villages they cover. Shared: ``market`` and
  ``farming`` import its services and models (never its ``graphql``).
- ``market`` (``tani_market``): listings, orders, reference prices, ratings.
- ``farming`` (``tani_farming``): parcels, plantings, crop questions, advisories.
"""
