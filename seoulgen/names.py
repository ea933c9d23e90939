"""Korean surnames with census shares and era-typical given names by birth decade and sex."""

from __future__ import annotations

import numpy as np

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

# Foreign residents registered with transcribed names (DOMAIN.md: 4,075 surnames without hanja).
FOREIGN_NAMES = _words(
    "응우옌티마이 쩐반남 왕웨이 리우양 장민 팜티투 레반훙 자오레이 "
    "마리아산토스 사르나이 바트에르덴 누르바예바 천징 호앙티란 린샤오"
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


def draw_given_names(
    rng: np.random.Generator, birth_years: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Given names typical of each person's birth decade and sex."""
    out = np.empty(len(birth_years), dtype=object)
    groups = decade_group(birth_years)
    # Iterate over the 18 (decade, sex) lists, never over people.
    for (g, sex), names in GIVEN_NAMES.items():
        mask = (groups == g) & (female == (sex == "F"))
        k = int(mask.sum())
        if k:
            pool = np.array(names, dtype=object)
            out[mask] = pool[rng.choice(len(pool), size=k, p=zipf_weights(len(pool)))]
    return out
