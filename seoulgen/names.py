"""Korean surnames with census shares and era-typical given names by birth decade and sex."""

from __future__ import annotations

import numpy as np
import pandas as pd

# 2015 census shares in % (KOSTAT; DOMAIN.md §7 for the top ten, the tail approximate from the
# same release). What is not listed is spread over the tail by normalisation.
SURNAME_SHARES: dict[str, float] = {
    "김": 21.5,
    "이": 14.7,
    "박": 8.4,
    "최": 4.7,
    "정": 4.3,
    "강": 2.4,
    "조": 2.1,
    "윤": 2.1,
    "장": 2.0,
    "임": 1.7,
    "한": 1.5,
    "오": 1.5,
    "서": 1.5,
    "신": 1.5,
    "권": 1.4,
    "황": 1.4,
    "안": 1.4,
    "송": 1.4,
    "전": 1.1,
    "홍": 1.1,
    "유": 1.1,
    "고": 0.9,
    "문": 0.9,
    "양": 0.9,
    "손": 0.9,
    "배": 0.8,
    "백": 0.8,
    "허": 0.7,
    "남": 0.6,
    "심": 0.5,
    "노": 0.45,
    "하": 0.45,
    "곽": 0.4,
    "성": 0.4,
    "차": 0.4,
    "주": 0.4,
    "우": 0.4,
    "구": 0.4,
    "민": 0.35,
    "류": 0.35,
    "나": 0.3,
    "진": 0.3,
    "지": 0.3,
    "엄": 0.29,
    "채": 0.26,
    "원": 0.26,
    "천": 0.24,
    "방": 0.23,
    "공": 0.2,
    "현": 0.19,
    "함": 0.19,
    "변": 0.18,
    "염": 0.14,
    "여": 0.14,
    "추": 0.12,
    "도": 0.11,
    "소": 0.1,
    "석": 0.1,
    "선": 0.1,
    "설": 0.09,
    "마": 0.08,
    "길": 0.07,
    "연": 0.07,
    "위": 0.06,
    "표": 0.06,
    "명": 0.05,
    "기": 0.05,
    "반": 0.05,
    "왕": 0.05,
    "금": 0.04,
    "옥": 0.05,
    "육": 0.04,
    "인": 0.04,
    "맹": 0.04,
    "제": 0.04,
    "모": 0.04,
    "탁": 0.04,
    "국": 0.04,
    "어": 0.03,
    "은": 0.03,
    "편": 0.03,
    "용": 0.03,
    "라": 0.03,
    "림": 0.02,
    "리": 0.02,
    "남궁": 0.04,
    "황보": 0.02,
    "제갈": 0.01,
    "선우": 0.01,
    "사공": 0.01,
    "독고": 0.005,
}
COMPOUND_SURNAMES = frozenset(s for s in SURNAME_SHARES if len(s) == 2)

# Birth-decade groups: ..1949, 1950s, 1960s, 1970s, 1980s, 1990s, 2000s, 2010s, 2020s.
DECADE_STARTS = np.array([1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020])


def _words(text: str) -> list[str]:
    return text.split()


# Most popular first: drawn with Zipf weights so that 김영숙-type collisions are common.
GIVEN_NAMES: dict[tuple[int, str], list[str]] = {
    (0, "F"): _words(
        "영숙 영자 정숙 순자 옥순 정자 춘자 순옥 영순 말순 "
        "경자 순희 옥자 숙자 화자 길자 금순 복순 명자 정순"
    ),
    (0, "M"): _words(
        "영수 영호 영철 영식 정수 상철 광수 정호 영길 춘식 "
        "만수 종수 병철 용수 재호 동수 기철 진호 성수 복남"
    ),
    (1, "F"): _words(
        "영숙 정숙 영자 순자 영희 명숙 경숙 정희 옥순 정자 "
        "순옥 영순 미자 경자 춘자 은숙 혜숙 순희 명희 숙자"
    ),
    (1, "M"): _words(
        "영수 영호 영철 정수 영식 성수 상철 광수 정호 종수 "
        "병철 용수 재호 동수 진호 상호 영일 성호 기철 종호"
    ),
    (2, "F"): _words(
        "미숙 미경 경희 은숙 현숙 영미 정희 미영 순영 혜숙 "
        "경숙 영희 선희 명희 정미 미란 영숙 경애 정아 은희"
    ),
    (2, "M"): _words(
        "성호 영수 영호 정호 성수 성진 병철 상훈 재철 종호 "
        "정훈 영진 창호 동욱 상호 재훈 용호 성철 진수 영민"
    ),
    (3, "F"): _words(
        "은정 미영 은영 현정 지영 미경 정은 혜정 수진 은주 "
        "미정 선영 은희 지현 경아 정아 현주 미선 은경 윤정"
    ),
    (3, "M"): _words(
        "정훈 성훈 상훈 성민 준호 지훈 재훈 성진 정호 민수 "
        "현철 동훈 성호 영훈 준영 상민 재현 태호 현석 기훈"
    ),
    (4, "F"): _words(
        "지영 지은 수진 은지 민정 지혜 현정 미진 혜진 유진 "
        "은영 수정 지현 선영 소영 민지 보람 슬기 아름 지연"
    ),
    (4, "M"): _words(
        "지훈 민수 성민 현우 준호 동현 민호 성훈 정훈 상현 "
        "진우 재현 현준 민석 준영 영재 태현 동욱 승현 우진"
    ),
    (5, "F"): _words(
        "민지 수빈 지은 유진 지현 지혜 은지 혜진 수진 예지 "
        "현지 다은 지원 가영 소연 민정 서연 지수 예슬 하나"
    ),
    (5, "M"): _words(
        "동현 지훈 현우 준호 민수 성민 승민 민재 준혁 지민 "
        "도현 재민 민호 현준 승현 상우 진혁 태윤 성현 민혁"
    ),
    (6, "F"): _words(
        "서연 민지 수빈 지민 서현 유진 지원 예은 민서 수민 "
        "채원 지윤 하은 윤서 지현 예린 다인 서영 은서 가은"
    ),
    (6, "M"): _words(
        "민준 현우 지훈 동현 준혁 민재 승민 지호 성민 준서 "
        "도현 건우 우진 민성 현준 시우 예준 승우 유찬 태민"
    ),
    (7, "F"): _words(
        "서연 서윤 지우 하은 서현 민서 하윤 윤서 지유 채원 "
        "지민 수아 지아 다은 예은 소율 예린 지안 서아 유나"
    ),
    (7, "M"): _words(
        "서준 민준 도윤 하준 주원 예준 시우 지호 준우 지후 "
        "준서 도현 건우 현우 우진 선우 유준 연우 은우 서진"
    ),
    (8, "F"): _words(
        "이서 하윤 서아 지안 아린 지우 하린 서윤 아윤 윤슬 "
        "시아 채아 수아 로아 지유 나은 하율 이나 다온 은채"
    ),
    (8, "M"): _words(
        "이준 도윤 하준 서준 시우 은우 선우 수호 유준 지호 "
        "도하 이안 로운 하온 주원 시윤 우주 태오 지한 은호"
    ),
}

# Foreign residents (DOMAIN.md: 4,075 surnames without hanja). Each name has its registered
# Latin form (외국인등록: family name first, upper case) and the Hangul transcription other
# agencies write (외래어 표기법). Built from family, middle and given parts so that foreign
# names collide about as rarely as Korean ones do.
FOREIGN_FAMILIES: tuple[tuple[str, str], ...] = (
    ("NGUYEN", "응우옌"),
    ("TRAN", "쩐"),
    ("LE", "레"),
    ("PHAM", "팜"),
    ("HOANG", "호앙"),
    ("VU", "부"),
    ("DANG", "당"),
    ("BUI", "부이"),
    ("WANG", "왕"),
    ("LIU", "리우"),
    ("ZHANG", "장"),
    ("CHEN", "천"),
    ("ZHAO", "자오"),
    ("SANTOS", "산토스"),
    ("REYES", "레이에스"),
    ("SMITH", "스미스"),
    ("BATAA", "바타"),
    ("NURBAEVA", "누르바예바"),
)
FOREIGN_MIDDLES: tuple[tuple[str, str], ...] = (("THI", "티"), ("VAN", "반"), ("", ""))
FOREIGN_GIVENS: tuple[tuple[str, str], ...] = (
    ("MAI", "마이"),
    ("THU", "투"),
    ("LAN", "란"),
    ("HUNG", "훙"),
    ("NAM", "남"),
    ("HOA", "호아"),
    ("LINH", "린"),
    ("ANH", "안"),
    ("WEI", "웨이"),
    ("YANG", "양"),
    ("JING", "징"),
    ("LEI", "레이"),
    ("XIAO", "샤오"),
    ("FANG", "팡"),
    ("MARIA", "마리아"),
    ("JOHN", "존"),
    ("ANNA", "안나"),
    ("ERDENE", "에르덴"),
    ("AIGUL", "아이굴"),
    ("DUC", "득"),
    ("TUAN", "뚜언"),
    ("HUONG", "흐엉"),
    ("TRANG", "짱"),
    ("MINH", "민"),
)


def zipf_weights(n: int, exponent: float = 0.9) -> np.ndarray:
    """Normalised weights 1/(rank+1)^exponent: a few very common names and a long tail."""
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` surnames drawn with their census shares."""
    keys = np.array(list(SURNAME_SHARES), dtype=object)
    p = np.array(list(SURNAME_SHARES.values()))
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def decade_group(birth_years: np.ndarray) -> np.ndarray:
    """Index of the given-name list for each birth year."""
    return np.searchsorted(DECADE_STARTS, birth_years, side="right")


# Most given names are not on any top-20 list: parents compose them from two syllables. The
# era lists above give the head (HEAD_SHARE of people); the rest are composed from these
# syllables, so that two people born on the same day share a full name with probability near
# Korea's ≈ 1e-4 (measured by :func:`same_day_name_rate`, documented in
# docs/synthetic-sources.md). With the era lists alone it was 4.8e-3.
FIRST_SYLLABLES = {
    "F": _words(
        "영 미 정 은 지 수 현 혜 선 민 경 서 하 유 윤 예 다 소 채 가 "
        "나 보 주 연 희 숙 순 옥 명 승 아 세 진 태 화 효 인 재 한 새"
    ),
    "M": _words(
        "영 정 성 상 재 동 민 준 지 현 승 태 종 진 병 용 광 기 창 석 "
        "형 대 도 건 우 시 주 한 윤 경 철 명 세 은 호 인 선 원 수 하"
    ),
}
SECOND_SYLLABLES = {
    "F": _words(
        "숙 자 희 미 영 정 경 순 옥 아 은 진 연 현 지 윤 서 원 민 주 "
        "빈 린 나 인 혜 란 선 애 화 하 율 람 솔 채 유 우 름 슬 비 령"
    ),
    "M": _words(
        "수 호 철 식 훈 민 진 우 현 석 준 혁 재 영 일 기 환 규 섭 구 "
        "범 찬 원 성 태 윤 서 빈 운 용 열 근 남 길 표 국 배 택 희 욱"
    ),
}
HEAD_SHARE = 0.12
SYLLABLE_EXPONENT = 0.6


def _composed(rng: np.random.Generator, k: int, sex: str) -> np.ndarray:
    first = np.array(FIRST_SYLLABLES[sex], dtype=object)
    second = np.array(SECOND_SYLLABLES[sex], dtype=object)
    a = rng.choice(len(first), size=k, p=zipf_weights(len(first), SYLLABLE_EXPONENT))
    b = rng.choice(len(second), size=k, p=zipf_weights(len(second), SYLLABLE_EXPONENT))
    out = first[a] + second[b]
    # 영영, 민민: a doubled syllable is rare in real names; take the next second syllable.
    same = first[a] == second[b]
    out[same] = first[a[same]] + second[(b[same] + 1) % len(second)]
    return out


def draw_given_names(
    rng: np.random.Generator, birth_years: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Given names typical of each person's birth decade and sex: the era's popular names for
    a share of people, names composed of two common syllables for the rest."""
    out = np.empty(len(birth_years), dtype=object)
    groups = decade_group(birth_years)
    head = rng.random(len(birth_years)) < HEAD_SHARE
    # Iterate over the 18 (decade, sex) lists, never over people.
    for (g, sex), names in GIVEN_NAMES.items():
        mask = (groups == g) & (female == (sex == "F"))
        k = int((mask & head).sum())
        if k:
            pool = np.array(names, dtype=object)
            out[mask & head] = pool[rng.choice(len(pool), size=k, p=zipf_weights(len(pool)))]
    for sex in ("F", "M"):
        mask = ~head & (female == (sex == "F"))
        out[mask] = _composed(rng, int(mask.sum()), sex)
    return out


# Twins' names pair up: the first syllable shared and the second one vowel apart (서연/서윤,
# 민준/민존) for TWIN_ONE_JAMO of them, a different second syllable (민준/민재) for the rest.
TWIN_ONE_JAMO = 0.6
_TWIN_VOWEL = np.array([4, 5, 6, 7, 8, 1, 17, 5, 4, 13, 11, 10, 17, 8, 9, 16, 15, 6, 20, 20, 18])


def twin_names(rng: np.random.Generator, given: np.ndarray, female: np.ndarray) -> np.ndarray:
    """A name for the second twin from the first one's given name."""
    from .formats import hangul, jamo_indices

    n = len(given)
    s = pd.Series(given, dtype=object)
    first, last = s.str[:1].to_numpy(dtype=object), s.str[-1:].to_numpy(dtype=object)
    cp = np.array([ord(c) if c else 0xAC00 for c in last], dtype=np.int64)
    lead, vowel, tail = jamo_indices(cp)
    one_jamo = np.array([chr(c) for c in hangul(lead, _TWIN_VOWEL[vowel], tail)], dtype=object)
    other = np.empty(n, dtype=object)
    for sex in ("F", "M"):
        m = female == (sex == "F")
        pool = np.array(SECOND_SYLLABLES[sex], dtype=object)
        other[m] = pool[rng.integers(0, len(pool), int(m.sum()))]
    other = np.where(other == last, np.roll(other, 1), other)
    second = np.where(rng.random(n) < TWIN_ONE_JAMO, one_jamo, other)
    out = first + second
    return np.where(out == given, first + one_jamo, out)


def foreign_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(Latin, Hangul) names of ``n`` foreign residents, family name first in both."""
    fam = rng.integers(0, len(FOREIGN_FAMILIES), n)
    mid = rng.integers(0, len(FOREIGN_MIDDLES), n)
    giv = rng.integers(0, len(FOREIGN_GIVENS), n)
    # Only Vietnamese names carry THI/VAN.
    mid = np.where(fam < 8, mid, len(FOREIGN_MIDDLES) - 1)
    latin = np.empty(n, dtype=object)
    hangul_ = np.empty(n, dtype=object)
    for k in range(n):
        parts = (FOREIGN_FAMILIES[fam[k]], FOREIGN_MIDDLES[mid[k]], FOREIGN_GIVENS[giv[k]])
        latin[k] = " ".join(p[0] for p in parts if p[0])
        hangul_[k] = "".join(p[1] for p in parts)
    return latin, hangul_


def same_day_name_rate(names: np.ndarray, births: np.ndarray) -> float:
    """P(two people born on the same day share their full name): pairs sharing both over pairs
    sharing the birth date. Korea ≈ 1e-4 (DOMAIN.md §7, from NICE 2012's 11.7 %)."""
    frame = pd.DataFrame({"n": names, "b": births})

    def pairs(counts: pd.Series) -> float:
        c = counts.to_numpy(dtype=np.float64)
        return float((c * (c - 1) / 2).sum())

    same_day = pairs(frame.groupby("b").size())
    return pairs(frame.groupby(["b", "n"]).size()) / max(same_day, 1.0)
