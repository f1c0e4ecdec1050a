"""Text helpers for diacritics-insensitive search (tìm kiếm không dấu)."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics, including đ → d.

    >>> fold("Cấp giấy phép ĐẤT đai")
    'cap giay phep dat dai'
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
