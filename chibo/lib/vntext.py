"""Vietnamese text: search keys that ignore diacritics, and the order of personal names."""

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})

# The collation of the key columns (`search_name`, `sort_name`): byte order, which is the
# order of these ASCII keys. SQLite's own BINARY; on PostgreSQL a collation of that name made
# from "C" (migration units.0006), because the database's default (C.UTF-8, en_US…) compares
# through the C library: 35 ms of an import of 10.000 members at the province (decision 0020).
KEY_COLLATION = "BINARY"


def _bases() -> dict[int, str | None]:
    """Each accented Latin letter → its letters without the marks, as decomposing and dropping
    the marks gives them ("ệ" → "e", "Ư" → "U"); each combining mark → nothing."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        base = _strip_marks(letter)
        if base != letter:
            table[code] = base
    table.update(dict.fromkeys(range(0x300, 0x370)))
    return table


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


_BASES = _bases()


def search_key(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Đặng Thị Hường" → "dang thi huong".

    Vietnamese text goes through one table of letters (a third of the time of decomposing
    each name: an import of 10.000 members makes 20.000 keys); text the table leaves with
    other letters is decomposed, which gives the same key for the rest."""
    key = text.translate(_BASES)
    if not key.isascii():
        key = _strip_marks(text)
    return " ".join(key.casefold().split())


def name_order(key: str) -> str:
    """The sort key of a name's search key (`name_sort_key`), for a caller that has it."""
    parts = key.split(" ")
    if len(parts) < 2:
        return parts[0]
    return " ".join([parts[-1], *parts[1:-1], parts[0]])


def name_sort_key(full_name: str) -> str:
    """Vietnamese names sort by given name, then middle name, then family name.

    "Lê Văn Chín" (family Lê, middle Văn, given Chín) sorts under "chin van le".
    """
    return name_order(search_key(full_name))
