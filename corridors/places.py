"""Place search by id, name or alias: case-, diacritic- and script-insensitive, with suggestions.

``Alyat``, ``Ələt`` and ``Алят`` all find Alat; ``horgos`` finds Khorgos; ``Termiz`` finds Termez.
Cyrillic is transliterated before fuzzy matching, so a Cyrillic spelling that is not an alias still
lands near its Latin name.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COUNTRY_NAMES",
    "MAX_QUERY_CHARS",
    "CountryNotFound",
    "Place",
    "PlaceIndex",
    "PlaceNotFound",
    "normalize",
    "resolve_country",
]

#: Longest text matched by spelling: fuzzy matching costs time in proportion to the query's length,
#: and no place name comes near it. Longer text only matches an id, name or alias exactly.
MAX_QUERY_CHARS = 200

_SPECIAL = str.maketrans(
    {
        "ə": "a",
        "Ə": "a",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "ʻ": "",
        "ʼ": "",
        "'": "",
        "’": "",
        "‘": "",
        "`": "",
        "-": " ",
        "–": " ",
        "_": " ",
        ".": " ",
        ",": " ",
        "/": " ",
        "(": " ",
        ")": " ",
    }
)
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "қ": "q",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "u",
    "ү": "u",
    "ў": "o",
    "ф": "f",
    "х": "kh",
    "һ": "h",
    "ҳ": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ә": "a",
}


def normalize(text: str) -> str:
    """Fold case, strip diacritics and punctuation, collapse spaces (``"Ələt"`` -> ``"alat"``)."""
    t = unicodedata.normalize("NFKC", text).translate(_SPECIAL).casefold()
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return " ".join(t.split())


def _latin(text: str) -> str:
    """Transliterate Cyrillic letters of an already normalized string."""
    return "".join(_CYRILLIC.get(c, c) for c in text)


class PlaceNotFound(LookupError):
    """No place matches; ``suggestions`` holds the closest names (best first)."""

    def __init__(self, query: str, suggestions: list[Place], *, ambiguous: bool = False) -> None:
        self.query = query
        self.suggestions = suggestions
        self.ambiguous = ambiguous
        names = ", ".join(f"{p.name} ({p.id})" for p in suggestions)
        if ambiguous:
            msg = f"{query!r} matches several places: {names}; use an id"
        elif suggestions:
            msg = f"unknown place {query!r}; closest names: {names}"
        else:
            msg = f"unknown place {query!r}; no similar name (try `corridors places`)"
        super().__init__(msg)


@dataclass(frozen=True)
class Place:
    """A place of the network."""

    id: str
    name: str
    country: str
    kind: str
    lon: float
    lat: float
    aliases: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    estimate: bool = False

    @classmethod
    def from_row(cls, r: Any) -> Place:
        """Build from a node record (dict with ``xy``) or a row (namedtuple) of the nodes frame."""
        if not isinstance(r, dict):
            r = {**r._asdict(), "xy": (r.geometry.x, r.geometry.y)}
        return cls(
            id=r["id"],
            name=r["name"],
            country=r["country"],
            kind=r["kind"],
            lon=round(float(r["xy"][0]), 5),
            lat=round(float(r["xy"][1]), 5),
            aliases=tuple(r["aliases"]),
            modes=tuple(r["modes"]),
            estimate=bool(r["estimate"]),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping."""
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "lon": self.lon,
            "lat": self.lat,
            "aliases": list(self.aliases),
            "modes": list(self.modes),
            "estimate": self.estimate,
        }


class PlaceIndex:
    """Lookup tables over the nodes frame (built once per network)."""

    def __init__(self, nodes: Iterable[Any]) -> None:
        if hasattr(nodes, "itertuples"):  # a nodes frame
            nodes = nodes.itertuples(index=False)
        self.places = {p.id: p for p in map(Place.from_row, nodes)}
        self._keys: dict[str, set[str]] = {}
        self._names: dict[str, set[str]] = {}
        for p in self.places.values():
            for label in (p.id, p.name, *p.aliases):
                n = normalize(label)
                for key in {n, _latin(n)}:
                    self._keys.setdefault(key, set()).add(p.id)
            self._names.setdefault(normalize(p.name), set()).add(p.id)

    def _exact(self, text: str) -> list[str]:
        if text in self.places:
            return [text]
        n = normalize(text)
        slug = n.replace(" ", "_")
        if slug in self.places:  # "Mazar i Sharif" -> mazar_i_sharif
            return [slug]
        hits = self._keys.get(n) or self._keys.get(_latin(n)) or set()
        if len(hits) > 1:  # a name beats an alias ("Termez" the city, not a post aliased Termez)
            named = hits & self._names.get(n, set())
            hits = named or hits
        return sorted(hits)

    def suggest(self, text: str, *, limit: int = 5) -> list[Place]:
        """Closest places by spelling (difflib ratio over names and aliases, transliterated); none for
        text longer than :data:`MAX_QUERY_CHARS`."""
        if len(text) > MAX_QUERY_CHARS:
            return []
        q = _latin(normalize(text))
        if not q:
            return []
        scored: dict[str, float] = {}
        for key, ids in self._keys.items():
            r = difflib.SequenceMatcher(None, q, key).ratio()
            if key.startswith(q) or q in key:
                r = max(r, 0.8 + 0.2 * len(q) / max(len(key), 1))
            for pid in ids:
                scored[pid] = max(scored.get(pid, 0.0), r)
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return [self.places[pid] for pid, s in best[:limit] if s >= 0.5]

    def search(self, text: str, *, kind: str | None = None, limit: int = 10) -> list[Place]:
        """Exact matches first, then the closest spellings (for text of at most
        :data:`MAX_QUERY_CHARS`); ``kind`` filters by node kind."""
        text = text or ""
        if not text.strip():
            hits = list(self.places.values())
        else:
            exact = [self.places[i] for i in self._exact(text)]
            rest = [p for p in self.suggest(text, limit=limit * 3) if p not in exact]
            hits = exact + rest
        if kind:
            hits = [p for p in hits if p.kind == kind]
        return hits[:limit] if text.strip() else hits

    def best(self, text: str) -> Place | None:
        """The place a typed text most likely means, for a box where Enter picks the best match:
        the exact match, else the closest spelling when it is clearly ahead (``Tashknet`` -> Tashkent);
        None when nothing is close or two places are equally close."""
        try:
            return self.resolve(text)
        except PlaceNotFound as exc:
            if exc.ambiguous or not exc.suggestions:
                return None
            near = exc.suggestions
        q = _latin(normalize(text))
        scores = []
        for p in near[:2]:
            keys = {_latin(normalize(x)) for x in (p.id, p.name, *p.aliases)}
            scores.append(max(difflib.SequenceMatcher(None, q, k).ratio() for k in keys))
        if scores[0] >= 0.8 and (len(scores) == 1 or scores[0] - scores[1] >= 0.02):
            return near[0]
        return None

    def resolve(self, text: str) -> Place:
        """The one place ``text`` names, or :class:`PlaceNotFound` with suggestions."""
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUERY_CHARS:
            raise PlaceNotFound(str(text)[:60], [])
        ids = self._exact(text.strip())
        if len(ids) == 1:
            return self.places[ids[0]]
        if len(ids) > 1:
            raise PlaceNotFound(text, [self.places[i] for i in ids], ambiguous=True)
        raise PlaceNotFound(text, self.suggest(text))


#: Countries of the region by ISO code: English names and the spellings planners type (local, Russian).
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AF": ("Afghanistan", "Афганистан", "افغانستان"),
    "AZ": ("Azerbaijan", "Azərbaycan", "Азербайджан"),
    "CN": ("China", "People's Republic of China", "PRC", "中国", "Китай"),
    "GE": ("Georgia", "Sakartvelo", "საქართველო", "Грузия"),
    "IR": ("Iran", "Islamic Republic of Iran", "ایران", "Иран"),
    "KG": ("Kyrgyzstan", "Kyrgyz Republic", "Kyrgyzia", "Кыргызстан", "Киргизия"),
    "KZ": ("Kazakhstan", "Qazaqstan", "Қазақстан", "Казахстан"),
    "MN": ("Mongolia", "Монгол Улс", "Монголия"),
    "PK": ("Pakistan", "پاکستان", "Пакистан"),
    "RO": ("Romania", "România", "Румыния"),
    "RU": ("Russia", "Russian Federation", "Rossiya", "Россия", "Российская Федерация"),
    "TJ": ("Tajikistan", "Тоҷикистон", "Таджикистан"),
    "TM": ("Turkmenistan", "Türkmenistan", "Туркменистан"),
    "TR": ("Türkiye", "Turkey", "Türkiye Cumhuriyeti", "Турция"),
    "UZ": ("Uzbekistan", "Oʻzbekiston", "Ozbekiston", "Ўзбекистон", "Узбекистан"),
}


class CountryNotFound(LookupError):
    """No country matches; ``suggestions`` holds ``(code, name)`` of the closest."""

    def __init__(self, query: str, suggestions: list[tuple[str, str]]) -> None:
        self.query = query
        self.suggestions = suggestions
        near = ", ".join(f"{name} ({code})" for code, name in suggestions)
        super().__init__(
            f"unknown country {query[:40]!r}"
            + (f"; closest: {near}" if near else "; use an ISO code such as KZ")
        )


def resolve_country(text: str, codes: Iterable[str] | None = None) -> str:
    """The ISO code of a country typed any way: ``KZ``, ``kz``, ``Kazakhstan``, ``Казахстан``, ``Russia``.

    ``codes`` limits the answer to the dataset's countries. Raises :class:`CountryNotFound` with the
    closest names.
    """
    allowed = set(codes) if codes is not None else set(COUNTRY_NAMES)
    raw = text.strip()[:MAX_QUERY_CHARS]
    if raw.upper() in allowed and len(raw) == 2:
        return raw.upper()
    key = normalize(raw)
    table: dict[str, str] = {}
    for code, names in COUNTRY_NAMES.items():
        if code in allowed:
            for n in names:
                table.setdefault(normalize(n), code)
                table.setdefault(_latin(normalize(n)), code)
    for k in (key, _latin(key)):
        if k in table:
            return table[k]
    close = difflib.get_close_matches(_latin(key), list(table), n=3, cutoff=0.6)
    if close and difflib.SequenceMatcher(None, _latin(key), close[0]).ratio() >= 0.85:
        return table[close[0]]  # a plain typo ("Uzbekstan")
    seen: dict[str, str] = {}
    for c in close:
        seen.setdefault(table[c], COUNTRY_NAMES[table[c]][0])
    raise CountryNotFound(raw, list(seen.items()))
