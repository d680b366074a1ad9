"""Party dues (đảng phí): collected at the start of the monthly meeting, kept in a dues book
per cell, totalled up the tree (Quyết định 342-QĐ/TW, RULES.md §5)."""
