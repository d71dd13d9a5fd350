"""Distance between municipalities, from their seats' coordinates in the reference data."""

import math
from functools import cache

from smartplatform.organisations.models import Municipality

# Seats this close count as neighbouring municipalities: a short drive or bus ride (Bjuv and
# Åstorp, Helsingborg and Höganäs). It reproduces the reference baseline's published figures
# on the development set; the engine itself weighs distance continuously.
NEIGHBOUR_KM = 20.0


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


@cache
def _seats() -> dict[str, tuple[float, float]]:
    return {
        code: (latitude, longitude)
        for code, latitude, longitude in Municipality.objects.values_list(
            "code", "latitude", "longitude"
        )
    }


def municipality_km(code_a: str, code_b: str) -> float | None:
    """Kilometres between two municipalities' seats (0 for the same one; None if unknown)."""
    if code_a == code_b:
        return 0.0
    seats = _seats()
    if code_a not in seats or code_b not in seats:
        return None
    return km_between(seats[code_a], seats[code_b])


def neighbouring(code_a: str, code_b: str) -> bool:
    distance = municipality_km(code_a, code_b)
    return distance is not None and distance <= NEIGHBOUR_KM
