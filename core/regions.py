"""Remote delivery areas (도서산간) by five-digit postcode.

Couriers charge extra for Jeju and for islands. The ranges follow the surcharge tables
Korean couriers publish (Jeju 63000–63644; island ranges of Incheon (Ongjin), Chungnam,
Jeonbuk, Jeonnam, Gyeongbuk (Ulleung) and Gyeongnam). They are data, kept here in one place.
"""

from enum import StrEnum


class RemoteArea(StrEnum):
    NONE = "none"
    JEJU = "jeju"
    ISLAND = "island"


JEJU_RANGES = [(63000, 63644)]
ISLAND_RANGES = [
    (22386, 22388), (23004, 23010), (23100, 23116), (23124, 23136),  # 인천 옹진·강화 섬
    (32133, 32133), (33411, 33411),  # 충남 섬
    (40200, 40240),  # 경북 울릉
    (52570, 52571), (53031, 53033), (53089, 53104), (54000, 54000),  # 경남·전북 섬
    (56347, 56349), (57068, 57069), (58760, 58762), (58800, 58810), (58816, 58818),
    (58826, 58826), (58828, 58866), (58953, 58958), (59102, 59103), (59106, 59106),
    (59127, 59127), (59129, 59129), (59137, 59166), (59650, 59650), (59766, 59766),
    (59781, 59790),  # 전남 섬
]


def remote_area_of(postcode: str) -> RemoteArea:
    if not postcode or not postcode.isdigit() or len(postcode) != 5:
        return RemoteArea.NONE
    code = int(postcode)
    if any(low <= code <= high for low, high in JEJU_RANGES):
        return RemoteArea.JEJU
    if any(low <= code <= high for low, high in ISLAND_RANGES):
        return RemoteArea.ISLAND
    return RemoteArea.NONE
