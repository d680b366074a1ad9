"""Vietnamese text: search keys that ignore diacritics, and the order of personal names."""

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def search_key(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Đặng Thị Hường" → "dang thi huong"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def name_sort_key(full_name: str) -> str:
    """Vietnamese names sort by given name, then middle name, then family name.

    "Lê Văn Chín" (family Lê, middle Văn, given Chín) sorts under "chin van le".
    """
    parts = search_key(full_name).split(" ")
    if len(parts) < 2:
        return parts[0]
    return " ".join([parts[-1], *parts[1:-1], parts[0]])
