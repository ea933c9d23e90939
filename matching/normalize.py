"""Comparable forms of a source record, computed once per record over a whole frame.

Column code (no Django): input is the frame built by :mod:`matching.frames`, output a frame of
forms keyed by the same ``rid``. Every string transform runs once per *distinct* value (there are
far fewer distinct surnames, given names and addresses than records) and is mapped back.

Names meet across scripts through two forms:

- ``jamo``: the Hangul name, initial-sound variants folded (리→이, 류→유 …), decomposed to jamo
  (NFD) so that Jaro-Winkler sees a typo in one jamo as a small change (DOMAIN.md §7);
- ``rom``: a phonetic key over Latin letters. Hangul is romanised per syllable (Revised
  Romanization); every Latin spelling, ours or a facility's, is folded to one key: vowels
  (eo/o/u/oo/ou → o, ae/e → e, ee/ui/i → i, yeo/you/yu → yo), voiced/voiceless consonant pairs
  (g/k, d/t, b/p, j/ch, r/l), and the surnames whose spellings are irregular (LEE/YI/RHEE/RI) by
  a table. So ``이영희``, ``리영희``, ``Lee Young-hee``, ``YI YOUNGHEE``, ``Younghee Rhee`` and
  ``LEE YOUNG HEE`` share ``i`` + ``yonghi``.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COMPOUND_SURNAMES = frozenset(
    ["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "을지", "망절", "어금", "제어"]
)
# 두음법칙: a surname registered with its original initial is the same surname (DOMAIN.md §7).
INITIAL_FOLD = {
    "리": "이",
    "류": "유",
    "림": "임",
    "라": "나",
    "로": "노",
    "량": "양",
    "렴": "염",
    "려": "여",
    "룡": "용",
    "뢰": "뇌",
}

_LEADS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_VOWELS = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_TAILS = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]

# Latin spellings of surnames whose variants a phonetic fold cannot join (DOMAIN.md §7 tables).
_SURNAME_SPELLINGS: dict[str, tuple[str, ...]] = {
    "이": ("LEE", "YI", "RHEE", "RI", "REE", "LIE", "I", "YEE", "RHIE"),
    "박": ("PARK", "PAK", "BAK", "BAHK", "PACK", "BARK"),
    "최": ("CHOI", "CHOE", "CHOY", "CHWE"),
    "정": ("JUNG", "JEONG", "CHUNG", "CHONG", "JEUNG", "JOUNG"),
    "유": ("YOO", "YU", "RYU", "YOU", "LYU", "RYOO", "YUH"),
    "윤": ("YOON", "YUN", "YOUN"),
    "임": ("LIM", "IM", "YIM", "RIM", "LYM"),
    "노": ("NOH", "RO", "NO", "ROH"),
    "나": ("NA", "RA", "LA", "RAH"),
    "양": ("YANG", "RYANG", "LYANG"),
    "오": ("OH", "O"),
    "안": ("AHN", "AN"),
    "김": ("KIM", "GIM", "KYM"),
    "신": ("SHIN", "SIN"),
    "심": ("SHIM", "SIM"),
    "서": ("SEO", "SUH", "SUR"),
    "허": ("HEO", "HUH", "HUR"),
    "엄": ("UM", "EOM", "UHM"),
    "여": ("YEO", "YUH", "YEOH"),
    "염": ("YEOM", "YUM", "YUHM"),
    "우": ("WOO", "WU"),
    "백": ("BAEK", "BAIK", "PAIK", "PAEK"),
    "손": ("SON", "SOHN"),
    "고": ("KO", "GO", "KOH"),
    "남궁": ("NAMGOONG", "NAMKUNG", "NAMGUNG"),
    "선우": ("SUNWOO", "SEONWOO", "SEONU"),
    "제갈": ("JEGAL", "JEKAL"),
    "황보": ("HWANGBO",),
    "독고": ("DOKGO", "TOKKO"),
    "사공": ("SAKONG", "SAGONG"),
}

_VOWEL_RUN = re.compile(
    "yeo|yae|you|yoo|woo|wae|eo|ae|oo|ou|eu|ee|ui|oe|ya|ye|yo|yu|wa|we|wi|wo|a|e|i|o|u"
)
_VOWEL_FOLD = {
    "yeo": "yo",
    "yae": "ye",
    "you": "yo",
    "yoo": "yo",
    "woo": "o",
    "wae": "we",
    "eo": "o",
    "ae": "e",
    "oo": "o",
    "ou": "o",
    "eu": "o",
    "ee": "i",
    "ui": "i",
    "oe": "we",
    "ya": "ya",
    "ye": "ye",
    "yo": "yo",
    "yu": "yo",
    "wa": "wa",
    "we": "we",
    "wi": "wi",
    "wo": "wo",
    "a": "a",
    "e": "e",
    "i": "i",
    "o": "o",
    "u": "o",
}
_NON_LETTER = re.compile(r"[^a-z]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def fold_latin(text: str) -> str:
    """Phonetic key of a Latin spelling (lower-case letters only; see the module docstring)."""
    s = _NON_LETTER.sub("", text.lower())
    s = s.replace("sh", "s").replace("ch", "j").replace("ng", "N")
    # An h that closes a syllable (AHN, OH, SOHN) is a spelling habit, not a sound.
    s = re.sub(r"h(?![aeiouwy])", "", s)
    s = _VOWEL_RUN.sub(lambda m: _VOWEL_FOLD[m.group(0)], s)
    s = s.translate(str.maketrans("gdbrf", "ktplp"))
    s = re.sub(r"(.)\1+", r"\1", s)
    return s.replace("N", "ng")


def romanize(hangul: str) -> str:
    """Revised Romanization of each syllable in isolation (how given names are spelled)."""
    out = []
    for ch in hangul:
        s = ord(ch) - 0xAC00
        if 0 <= s < 11172:
            out.append(_LEADS[s // 588] + _VOWELS[(s % 588) // 28] + _TAILS[s % 28])
        elif ch.isalpha():
            out.append(ch.lower())
    return "".join(out)


def fold_surname(hangul: str) -> str:
    """The surname with its initial-sound variant folded (리→이)."""
    return INITIAL_FOLD.get(hangul, hangul)


def _surname_keys() -> dict[str, str]:
    keys = {}
    for hangul, spellings in _SURNAME_SPELLINGS.items():
        k = fold_latin(romanize(hangul))
        for sp in spellings:
            keys[sp] = k
    return keys


LATIN_SURNAME_KEY = _surname_keys()
# Common Hangul surnames beyond the table (KOSTAT 2015 top ~90): their folded RR tells whether a
# Latin token can be a surname (CHANG, HAM, SONG) when deciding the order of a romanised name.
_COMMON_SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄"
    "채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복"
    "태목형피두감음빈동온호범좌팽승간상갈서시"
)
SURNAME_FOLDS = (
    frozenset(LATIN_SURNAME_KEY.values())
    | frozenset(fold_latin(romanize(ch)) for ch in _COMMON_SURNAMES)
    | frozenset(fold_latin(romanize(c)) for c in COMPOUND_SURNAMES)
)


def _surname_like(token: str) -> bool:
    return token.upper() in LATIN_SURNAME_KEY or fold_latin(token) in SURNAME_FOLDS


def surname_key(hangul_surname: str) -> str:
    return fold_latin(romanize(fold_surname(hangul_surname)))


def split_hangul(name: str) -> tuple[str, str]:
    """(surname, given) of a Hangul name without spaces; compound surnames take two syllables."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _latin_key(sp: str) -> str:
    return LATIN_SURNAME_KEY.get(sp.upper()) or fold_latin(sp)


def split_latin(name: str) -> tuple[str, str]:
    """(surname key, given key) of a romanised name, surname first or last.

    The surname is the first token unless only the last one is a known surname spelling
    (``Younghee Rhee``); the given name is the other tokens joined (``YOUNG HEE`` = ``Younghee``).
    """
    tokens = [t for t in re.split(r"[\s,]+", name.strip()) if t]
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return "", fold_latin(tokens[0])
    first_known, last_known = _surname_like(tokens[0]), _surname_like(tokens[-1])
    # Surname last (``Younghee Rhee``): only the last token can be a surname, or both can and the
    # first is the longer one (a two-syllable given name written as one word).
    last = (last_known and not first_known) or (
        len(tokens) == 2
        and first_known
        and last_known
        and "-" not in tokens[1]
        and tokens[0].upper() not in LATIN_SURNAME_KEY
        and len(tokens[0]) > len(tokens[1]) + 2
    )
    if last:
        return _latin_key(tokens[-1]), fold_latin("".join(tokens[:-1]))
    return _latin_key(tokens[0]), fold_latin("".join(tokens[1:]))


def _categorical(per_value: np.ndarray | pd.Series, codes: np.ndarray) -> pd.Categorical:
    """A categorical per record from a form computed per distinct input value.

    ``per_value[k]`` is the form of distinct input ``k``; ``codes`` the distinct input of each
    record. The empty form is missing (code -1), so blocking and comparison read equality and
    absence off integer codes, never off strings.
    """
    t, cats = pd.factorize(np.asarray(per_value, dtype=object))
    cats = np.asarray(cats, dtype=object)
    empty = np.flatnonzero(cats == "")
    if len(empty):
        e = int(empty[0])
        t = np.where(t == e, -1, t - (t > e))
        cats = np.delete(cats, e)
    out = t[codes] if len(codes) else np.empty(0, dtype=np.int64)
    return pd.Categorical.from_codes(
        out.astype(np.int32), categories=pd.Index(cats, dtype=object), validate=False
    )


def name_forms(names: pd.Series) -> pd.DataFrame:
    """Per record: is_hangul, surname (folded Hangul), given, jamo, jamo_given, rom_sur,
    rom_given and rom, the string forms as categoricals ("" = missing)."""
    codes, uniq = pd.factorize(names.fillna("").astype(str), sort=False)
    rows = []
    for raw in uniq:
        text = unicodedata.normalize("NFC", raw).strip()
        if _HANGUL.search(text):
            compact = re.sub(r"[^\uac00-\ud7a3]", "", text)
            sur, given = split_hangul(compact)
            sur = fold_surname(sur)
            rows.append(
                (
                    True,
                    sur,
                    given,
                    unicodedata.normalize("NFD", sur + given),
                    unicodedata.normalize("NFD", given),
                    surname_key(sur),
                    fold_latin(romanize(given)),
                )
            )
        else:
            rs, rg = split_latin(text)
            rows.append((False, "", "", "", "", rs, rg))
    table = pd.DataFrame(
        rows,
        columns=["is_hangul", "surname", "given", "jamo", "jamo_given", "rom_sur", "rom_given"],
        dtype=object,
    )
    table["rom"] = table["rom_sur"] + " " + table["rom_given"] if len(table) else []
    hangul = table["is_hangul"].to_numpy(bool)
    out = pd.DataFrame({"is_hangul": hangul[codes] if len(codes) else np.empty(0, bool)})
    for col in NAME_COLUMNS:
        out[col] = _categorical(table[col].to_numpy(object), codes)
    return out


NAME_COLUMNS = ["surname", "given", "jamo", "jamo_given", "rom_sur", "rom_given", "rom"]


_ADDRESS = re.compile(
    # A numbered side street belongs to the street (무악로12길 34 is not 무악로 12): the same
    # reading as matching.address, which this one-regex form stays cheap beside.
    r"(?P<district>[가-힣]+[구군])\s+(?P<street>[가-힣0-9.]+?(?:로|길|동|가|리)"
    r"(?:\d+(?:가|번)?길)?)\s*"
    r"(?P<number>산?\d+(?:-\d+)?)"
)


def address_forms(addresses: pd.Series) -> pd.DataFrame:
    """District, street (road, or lot-number dong) and building key of each address."""
    codes, uniq = pd.factorize(addresses.fillna("").astype(str), sort=False)
    # Arrow's RE2 runs the pattern over the distinct addresses in C++, twice as fast as re.
    found = pc.extract_regex(
        pa.array(np.asarray(uniq, dtype=object), type=pa.string()), _ADDRESS.pattern
    )
    parts = pd.DataFrame(
        {
            name: found.field(name).to_numpy(zero_copy_only=False)
            for name in ("district", "street", "number")
        },
        dtype=object,
    )
    parts = parts.fillna("")
    has_number = (parts["number"] != "").to_numpy()
    has_street = (parts["street"] != "").to_numpy()
    district = parts["district"].to_numpy(object)
    street = np.where(has_street, district + " " + parts["street"].to_numpy(object), "")
    building = np.where(has_number, street + " " + parts["number"].to_numpy(object), "")
    return pd.DataFrame(
        {
            "district": _categorical(district, codes),
            "street": _categorical(street, codes),
            "building": _categorical(building, codes),
        }
    )


def text_categorical(values: pd.Series) -> pd.Categorical:
    """A string column as a categorical, "" (or missing) as -1."""
    codes, uniq = pd.factorize(values.fillna("").astype(str), sort=False)
    return _categorical(np.asarray(uniq, dtype=object), codes)


def _phones(phones: pd.Series) -> pd.Categorical:
    # Digits of each distinct phone, not of each record: a tenth of the regex work.
    codes, uniq = pd.factorize(phones.fillna("").astype(str), sort=False)
    digits = pc.replace_substring_regex(
        pa.array(np.asarray(uniq, dtype=object), type=pa.string()), r"\D", ""
    )
    digits = np.where(
        pc.utf8_length(digits).to_numpy(zero_copy_only=False) >= 7,
        digits.to_numpy(zero_copy_only=False),
        "",
    )
    return _categorical(digits, codes)


def sex_of(sex: pd.Series, rrn_masked: pd.Series) -> np.ndarray:
    """1 male, 2 female, 0 unknown: the record's sex, else the RRN's sex digit (odd = male)."""
    s = sex.fillna("").astype(str).to_numpy()
    out = np.where(s == "M", 1, np.where(s == "F", 2, 0)).astype(np.int8)
    digit = rrn_masked.fillna("").astype(str).str.slice(7, 8)
    d = pd.to_numeric(digit, errors="coerce").to_numpy()
    from_rrn = np.where(np.isnan(d), 0, np.where(np.nan_to_num(d) % 2 == 1, 1, 2)).astype(np.int8)
    return np.where(out > 0, out, from_rrn)


def normalize(records: pd.DataFrame) -> pd.DataFrame:
    """The comparable forms of every record of ``records`` (one row per record, same order).

    ``records`` has the columns of :func:`matching.frames.empty_records`.
    """
    n = len(records)
    forms = name_forms(records["name"])
    forms.insert(0, "rid", records["rid"].to_numpy(np.int64))
    birth = pd.to_datetime(records["birth_date"], errors="coerce")
    # YYYYMMDD as an int: positive, 0 when missing, and year/month/day are plain arithmetic.
    y = birth.dt.year.fillna(0).to_numpy().astype(np.int32)
    m = birth.dt.month.fillna(0).to_numpy().astype(np.int32)
    d = birth.dt.day.fillna(0).to_numpy().astype(np.int32)
    forms["birth"] = y * 10000 + m * 100 + d
    forms["by"] = y.astype(np.int16)
    forms["bm"] = m.astype(np.int8)
    forms["bd"] = d.astype(np.int8)
    forms["sex"] = sex_of(records["sex"], records["rrn_masked"])
    forms["phone"] = _phones(records["phone"])
    forms["rrn_index"] = text_categorical(records["rrn_index"])
    addr = address_forms(records["address"])
    forms["district"] = addr["district"]
    forms["street"] = addr["street"]
    forms["building"] = addr["building"]
    forms["dong"] = text_categorical(records["dong_code"])
    assert len(forms) == n
    return forms


STRING_FORMS = [*NAME_COLUMNS, "phone", "rrn_index", "district", "street", "building", "dong"]


def codes(forms: pd.DataFrame, column: str) -> np.ndarray:
    """Integer code per record of a string form (-1 = missing): the one way the core reads them."""
    col = forms[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy()
    return text_categorical(col).codes


def text(forms: pd.DataFrame, column: str) -> np.ndarray:
    """A string form as plain strings ("" = missing), for saving and for golden fields."""
    col = forms[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = np.append(np.asarray(col.cat.categories, dtype=object), "")
        return cats[col.cat.codes.to_numpy()]
    return col.fillna("").astype(str).to_numpy(object)


def as_categoricals(forms: pd.DataFrame) -> pd.DataFrame:
    """Forms read back as strings (from the database) with categorical string columns."""
    out = forms.copy()
    for col in STRING_FORMS:
        if not isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = text_categorical(out[col])
    return out


def concat_forms(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Forms of several frames one after another, categories united (codes stay integers)."""
    from pandas.api.types import union_categoricals

    frames = [as_categoricals(f) for f in frames]
    out = pd.concat([f.drop(columns=STRING_FORMS) for f in frames], ignore_index=True)
    for col in STRING_FORMS:
        out[col] = union_categoricals([f[col] for f in frames])
    return out[frames[0].columns]


FORM_COLUMNS = [
    "rid",
    "is_hangul",
    "surname",
    "given",
    "jamo",
    "jamo_given",
    "rom_sur",
    "rom_given",
    "rom",
    "birth",
    "by",
    "bm",
    "bd",
    "sex",
    "phone",
    "rrn_index",
    "district",
    "street",
    "building",
    "dong",
]
