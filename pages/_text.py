"""Text from the data shown on a page: Markdown escaping (no Streamlit here, so any page can use it)."""

from __future__ import annotations

import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:$~=^&])")


def md_escape(text: Any) -> str:
    """Backslash-escape Markdown (and Streamlit directive) characters in a data string.

    Parameters
    ----------
    text
        Any value; it is shown as text (non-printable characters become spaces).

    Returns
    -------
    The string to put into ``st.markdown`` and friends.
    """
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return _MD_SPECIAL.sub(r"\\\1", s)
