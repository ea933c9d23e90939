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

COMPOUND_SURNAMES = frozenset(
    ["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "을지", "망절", "어금", "제어"]
)
# 두음법칙: a surname registered with its original initial is the same surname (DOMAIN.md §7).
INITIAL_FOLD = {"리": "이", "류": "유", "림": "임", "라": "나", "로": "노", "량": "양",
                "렴": "염", "려": "여", "룡": "용", "뢰": "뇌"}

_LEADS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k",
          "t", "p", "h"]
_VOWELS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
           "wo", "we", "wi", "yu", "eu", "ui", "i"]
_TAILS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m",
          "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]

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
_VOWEL_FOLD = {"yeo": "yo", "yae": "ye", "you": "yo", "yoo": "yo", "woo": "o", "wae": "we",
               "eo": "o", "ae": "e", "oo": "o", "ou": "o", "eu": "o", "ee": "i", "ui": "i",
               "oe": "we", "ya": "ya", "ye": "ye", "yo": "yo", "yu": "yo", "wa": "wa",
               "we": "we", "wi": "wi", "wo": "wo", "a": "a", "e": "e", "i": "i", "o": "o",
               "u": "o"}
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
SURNAME_FOLDS = frozenset(LATIN_SURNAME_KEY.values()) | frozenset(
    fold_latin(romanize(ch)) for ch in _COMMON_SURNAMES
) | frozenset(fold_latin(romanize(c)) for c in COMPOUND_SURNAMES)


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
        len(tokens) == 2 and first_known and last_known and "-" not in tokens[1]
        and tokens[0].upper() not in LATIN_SURNAME_KEY
        and len(tokens[0]) > len(tokens[1]) + 2)
    if last:
        return _latin_key(tokens[-1]), fold_latin("".join(tokens[:-1]))
    return _latin_key(tokens[0]), fold_latin("".join(tokens[1:]))


def name_forms(names: pd.Series) -> pd.DataFrame:
    """Per record: is_hangul, surname (folded Hangul), given, jamo, jamo_given, rom_sur and
    rom_given."""
    codes, uniq = pd.factorize(names.fillna("").astype(str), sort=False)
    rows = []
    for raw in uniq:
        text = unicodedata.normalize("NFC", raw).strip()
        if _HANGUL.search(text):
            compact = re.sub(r"[^\uac00-\ud7a3]", "", text)
            sur, given = split_hangul(compact)
            sur = fold_surname(sur)
            rows.append((True, sur, given,
                         unicodedata.normalize("NFD", sur + given),
                         unicodedata.normalize("NFD", given),
                         surname_key(sur), fold_latin(romanize(given))))
        else:
            rs, rg = split_latin(text)
            rows.append((False, "", "", "", "", rs, rg))
    table = pd.DataFrame(rows, columns=["is_hangul", "surname", "given", "jamo", "jamo_given",
                                        "rom_sur", "rom_given"])
    if len(table) == 0:
        table = table.astype({"is_hangul": bool})
    out = table.iloc[codes].reset_index(drop=True)
    out["rom"] = out["rom_sur"] + " " + out["rom_given"]
    return out


_ADDRESS = re.compile(
    r"(?P<district>[가-힣]+[구군])\s+(?P<street>[가-힣0-9.]+?(?:로|길|동|가|리))\s*"
    r"(?P<number>산?\d+(?:-\d+)?)"
)


def address_forms(addresses: pd.Series) -> pd.DataFrame:
    """District, street (road, or lot-number dong) and building key of each address."""
    codes, uniq = pd.factorize(addresses.fillna("").astype(str), sort=False)
    parts = pd.Series(uniq, dtype=object).str.extract(_ADDRESS)
    parts = parts.fillna("")
    building = np.where(parts["number"] != "",
                        parts["district"] + " " + parts["street"] + " " + parts["number"], "")
    table = pd.DataFrame({"district": parts["district"],
                          "street": np.where(parts["street"] != "",
                                             parts["district"] + " " + parts["street"], ""),
                          "building": building})
    return table.iloc[codes].reset_index(drop=True)


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
    phone = records["phone"].fillna("").astype(str).str.replace(r"\D", "", regex=True)
    forms["phone"] = phone.where(phone.str.len() >= 7, "").to_numpy()
    forms["rrn_index"] = records["rrn_index"].fillna("").astype(str).to_numpy()
    addr = address_forms(records["address"])
    forms["district"] = addr["district"].to_numpy()
    forms["street"] = addr["street"].to_numpy()
    forms["building"] = addr["building"].to_numpy()
    forms["dong"] = records["dong_code"].fillna("").astype(str).to_numpy()
    assert len(forms) == n
    return forms


FORM_COLUMNS = ["rid", "is_hangul", "surname", "given", "jamo", "jamo_given", "rom_sur",
                "rom_given", "rom", "birth", "by", "bm", "bd", "sex", "phone", "rrn_index",
                "district", "street", "building", "dong"]
