"""A small romaniser of Hangul names over jamo decomposition (Unicode §3.12).

Two spellings of a given name are produced: the Revised Romanization (RR, 2000) of each syllable,
which is how RR treats personal names (no sound-change assimilation between the syllables of a
given name), and the "popular" passport spelling Koreans actually choose for common syllables
(영 Young, 희 Hee, 수 Soo, 정 Jung …). Surnames keep their established spellings with the real
variants from DOMAIN.md §7.
"""

from __future__ import annotations

import numpy as np

LEADS = [
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
VOWELS = [
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
# RR writes a final by its sound in isolation: clusters reduce, ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ become t.
TAILS = [
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

# Spellings people put in passports for the syllables common in given names; RR otherwise.
POPULAR_SYLLABLES = {
    "영": "young",
    "희": "hee",
    "수": "soo",
    "숙": "sook",
    "정": "jung",
    "성": "sung",
    "현": "hyun",
    "경": "kyung",
    "준": "joon",
    "윤": "yoon",
    "은": "eun",
    "주": "joo",
    "순": "soon",
    "철": "chul",
    "석": "suk",
    "선": "sun",
    "명": "myung",
    "병": "byung",
    "훈": "hoon",
    "우": "woo",
    "규": "kyu",
    "근": "keun",
    "광": "kwang",
    "국": "kook",
    "춘": "chun",
    "구": "koo",
    "용": "yong",
    "종": "jong",
    "상": "sang",
    "동": "dong",
    "재": "jae",
    "태": "tae",
    "혜": "hye",
    "서": "seo",
    "지": "ji",
    "민": "min",
    "진": "jin",
    "호": "ho",
    "옥": "ok",
    "자": "ja",
    "미": "mi",
    "연": "yeon",
    "혁": "hyuk",
    "욱": "wook",
    "원": "won",
    "승": "seung",
    "건": "gun",
    "도": "do",
    "하": "ha",
    "유": "yu",
    "나": "na",
    "아": "a",
    "인": "in",
    "기": "ki",
    "길": "gil",
    "복": "bok",
    "덕": "duk",
}

# Established surname spellings with their rough shares (DOMAIN.md §7; passport statistics).
SURNAME_SPELLINGS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "김": (("KIM", "GIM"), (0.97, 0.03)),
    "이": (("LEE", "YI", "RHEE", "RI"), (0.85, 0.07, 0.04, 0.04)),
    "리": (("RI", "LEE", "RHEE"), (0.5, 0.3, 0.2)),
    "박": (("PARK", "PAK", "BAK"), (0.86, 0.07, 0.07)),
    "최": (("CHOI", "CHOE"), (0.9, 0.1)),
    "정": (("JUNG", "JEONG", "CHUNG"), (0.47, 0.43, 0.10)),
    "유": (("YOO", "YU", "YOU", "RYU"), (0.45, 0.3, 0.15, 0.10)),
    "류": (("RYU", "YOO", "YU", "LYU"), (0.6, 0.2, 0.1, 0.1)),
    "윤": (("YOON", "YUN", "YOUN"), (0.6, 0.3, 0.1)),
    "신": (("SHIN", "SIN"), (0.9, 0.1)),
    "강": (("KANG", "GANG"), (0.95, 0.05)),
    "조": (("CHO", "JO"), (0.8, 0.2)),
    "장": (("JANG", "CHANG"), (0.7, 0.3)),
    "임": (("LIM", "IM", "YIM"), (0.7, 0.2, 0.1)),
    "림": (("LIM", "RIM"), (0.6, 0.4)),
    "오": (("OH", "O"), (0.9, 0.1)),
    "서": (("SEO", "SUH"), (0.7, 0.3)),
    "권": (("KWON", "GWON"), (0.95, 0.05)),
    "안": (("AHN", "AN"), (0.8, 0.2)),
    "전": (("JEON", "CHUN", "JUN"), (0.6, 0.2, 0.2)),
    "고": (("KO", "GO", "KOH"), (0.7, 0.2, 0.1)),
    "문": (("MOON", "MUN"), (0.8, 0.2)),
    "손": (("SON", "SOHN"), (0.8, 0.2)),
    "백": (("BAEK", "BAIK", "PAIK"), (0.7, 0.2, 0.1)),
    "허": (("HEO", "HUH"), (0.6, 0.4)),
    "심": (("SHIM", "SIM"), (0.7, 0.3)),
    "노": (("NOH", "RO", "NO"), (0.6, 0.2, 0.2)),
    "성": (("SUNG", "SEONG"), (0.7, 0.3)),
    "주": (("JOO", "JU", "CHU"), (0.6, 0.3, 0.1)),
    "우": (("WOO", "WU"), (0.9, 0.1)),
    "구": (("KOO", "KU", "GU"), (0.6, 0.3, 0.1)),
    "나": (("NA", "RA"), (0.9, 0.1)),
    "라": (("RA", "LA"), (0.8, 0.2)),
    "엄": (("UM", "EOM"), (0.6, 0.4)),
    "천": (("CHUN", "CHEON"), (0.6, 0.4)),
    "변": (("BYUN", "BYEON"), (0.7, 0.3)),
    "염": (("YEOM", "YUM"), (0.6, 0.4)),
    "여": (("YEO", "YUH"), (0.8, 0.2)),
    "추": (("CHOO", "CHU"), (0.7, 0.3)),
    "양": (("YANG",), (1.0,)),
    "량": (("RYANG", "YANG"), (0.5, 0.5)),
    "남궁": (("NAMGOONG", "NAMKUNG", "NAMGUNG"), (0.5, 0.3, 0.2)),
    "황보": (("HWANGBO",), (1.0,)),
    "제갈": (("JEGAL", "JEKAL"), (0.8, 0.2)),
    "선우": (("SUNWOO", "SEONWOO", "SEONU"), (0.6, 0.3, 0.1)),
    "사공": (("SAKONG", "SAGONG"), (0.7, 0.3)),
    "독고": (("DOKGO", "TOKKO"), (0.8, 0.2)),
}


def _syllables(text: str) -> list[tuple[int, int, int] | str]:
    out: list[tuple[int, int, int] | str] = []
    for ch in text:
        s = ord(ch) - 0xAC00
        if 0 <= s < 11172:
            out.append((s // 588, (s % 588) // 28, s % 28))
        else:
            out.append(ch)
    return out


def rr_syllables(text: str) -> list[str]:
    """Revised Romanization of each syllable of ``text`` (lower case)."""
    parts = []
    for syl in _syllables(text):
        if isinstance(syl, str):
            parts.append(syl.lower())
        else:
            lead, vowel, tail = syl
            parts.append(LEADS[lead] + VOWELS[vowel] + TAILS[tail])
    return parts


def popular_syllables(text: str) -> list[str]:
    """Passport-style spelling of each syllable: the common choice where there is one, else RR."""
    rr = rr_syllables(text)
    return [POPULAR_SYLLABLES.get(ch, r) for ch, r in zip(text, rr, strict=True)]


def romanize_given(text: str, popular: bool = False) -> list[str]:
    """The syllables of a given name, romanised (lower case); join them as the caller styles."""
    return popular_syllables(text) if popular else rr_syllables(text)


def surname_spelling_table() -> dict[str, tuple[list[str], np.ndarray]]:
    """Spellings and cumulative probabilities per surname, for vectorised sampling."""
    return {
        k: (list(v[0]), np.cumsum(np.asarray(v[1]) / sum(v[1])))
        for k, v in SURNAME_SPELLINGS.items()
    }


def default_surname_spelling(surname: str) -> str:
    """Upper-case RR of a surname absent from the variant table (e.g. 한 HAN, 황 HWANG)."""
    return "".join(rr_syllables(surname)).upper()
