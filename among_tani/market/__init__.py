"""The Among Tani marketplace: farmers list produce, buyers find it near them at a price they
can compare with the market, and order it — no kilo ever sold twice."""
