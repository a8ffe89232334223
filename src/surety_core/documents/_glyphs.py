"""Which characters the non-embedded Japanese font can show (private, generated data).

Generated from Adobe's ``UniJIS-UCS2-H`` and ``UniJIS-UCS2-HW-H`` CMaps (as shipped by Debian's
``poppler-data``): every BMP code point from U+0020 whose CID is within Adobe-Japan1 Supplement 2
(CID 1-8719), as a zlib-compressed, base64-encoded bitmap of the 65,536 BMP code points. The test
``tests/documents/test_glyphs.py`` regenerates it from the CMap files when they are installed.
"""

from __future__ import annotations

import base64
import re
import zlib

__all__ = [
    "HALF_WIDTH_CHARS",
    "HALF_WIDTH_RANGES",
    "HALF_WIDTH_RE",
    "is_half_width",
    "is_supported",
]

_BITMAP_B64 = (
    "eNrtmXtYE1cWwM9MZsIkJmESYgwRZBKDBkQ2BLZatDAJgQYVDIivro+AqKhdi1pra6lMQgIBUYKyNbWuBhYRFS21rbW2"
    "anhZpNrio/XRukWkrfWxsn26pTU7iLZ22277fft9/WO//L5v7uTeOXPuzNxzz7knFwDA9wOFbBVu39cAd0CBCwLgAGTD"
    "XRD4bfhCARjEeFfLgPY+Tv9xT/O9nlDw48fP74sAClctBGE6+dNLVH9BcE3AJe7O5UBfBUDgnd/5IAUvO4fX8bg91YVa"
    "LQAGLQKA4wM3MneEvP0F9pufZcAPIL0+X+JAA3afbwpEaLQnkPUeWgiAcm1zB8B4tpfHaOjtF8X776/9tR68hT/4of9T"
    "6NAyhB1MCaAIuRu79/2+u+PcB04D5e3Eu988sREB+j6fH/bk7f+IB7/Kt+zwfF+ZM6/X90N0iKDy9ccFE/j2Bbb+6q2u"
    "lqZ/FrI2RD5I+iefHz//I2sf+zzJEJ7yfNSVrssY8On5cx94f9VTqdjZ672X4y1t8kEfc+KAyRjT3nVtDdgWuU17po3m"
    "XLEwIQs27hnnzWuz7Jp2dE0ijZ4oypZS5EqlkpIEgPYNWl2Xk1xv0fKHoI87UMy+pa9wsDSusFs8f/9N1cownyU/nh7b"
    "8sC8hefT9lGNKccC3W+Y88YWJ3qcw2Xu1MO6zN2q2msXIerNT6ovjRhq51dcG7l1qr75SKkUTI7seWmEoLBzV4LvHVzh"
    "49TrV9NPJz+MMoBfG5vxAU7GPS9YtokDyIJ5WG0nk8G6bX7SMld7PhuGZpwXwdfMXD00AlklByaHRjt5YJuGYGYeQYaS"
    "eJOdRMNpMxmYXJbGo4V1wbsnVXqVVp6jlYMu5wKDDSIgVMqDY6mzXDxwyeYLKJXEHqvmCJ59mMsPN2jA2Qmpgsk10l2n"
    "tedKErD12WG1a4r1rpbXR++ZLlcOU5six4qxdJo/VGYR0k4+iv5FabOQSShgRml/3MME/eGRq2iCCSgbXhU0YNJkOgI+"
    "P/QkfxS+83XPkQL6qaLvJKGffvWnRW1f3ZxgHKxEffNujDKN6TSgQAaBYWjHbA8bpjg7sqMY02cVdjZgYTOEJOwzQZUc"
    "oTAzMwZ0aXlXUw/nTZIboqn6Y8rXzI3MMCjwbbZ3SZs0XYioJLUhMOj9i4rDfaXdNfsyVFM7dEcT1m44ElqRxFno1mm0"
    "3hViYvhO8M6Pv1yBYulR4XUPHamG+IQz5ce4BTFdEPnuWuRD0cTLqvIicWVv1TOaHQ3H+mi7cUqA6xGjsT0RAROc+RJZ"
    "Nfe6oTW0tGiJJpWnN5wK5d6eSctV8T2vbhvH6b3qLQ5CbUwp9MC+apKZ2CrgnTaWvhAWZ5ppSxbwDfkY7TlH0jFmI0aj"
    "iNVG4wQSlatdjCvqLFL8Hde0XCVATMiW3reoS93zJpGvIOVTijbvO2DVrXbb+Z/EooIT743tfPHScvewMnv3Fy0zsc1J"
    "zcOTTdLTG1D6AT16yMe71nvF+8yp7YbmiacKa1/o9Ciq4x62nRs0pXXo/KpT8e0J0E5zRdLYudlh+5zQ6Y3scte3VS+R"
    "mV942bHWi3Fj/4UNW4pn1AA29omAGwdWcI26YCstay8r4M2zR2C71CFbOkTp2SNZKyxKIQRNYouVFGYRPBHwj0txEGgx"
    "o2ct2Bc6M4PL5hTL186MtujJ8sNbsvNmlYKbtWjrZkIOrqYAuvoL3CHMTY9JE3FNfJ9OVh8d7RgEpNzeQYkeXaQDkM14"
    "z8XxZOQpwKUWX3KPSMqcvTfME6jZ2/cNTCdy6eeYdqMXd+lfVNtba+MU8RZwVTWl2OJBKOc2qUDynLlLPHi63gYKLBKd"
    "DNrSoHOLjd1lqhteMU4DiSKEE4mhUjAUbhGBUAo1rAmqSBspM4Ce9GZaJF9kAkU6tDYQowZ+0ivMpXzqAk0hBPxx/rdN"
    "wdjuYlSaUwJGcLhSDLNoBz9Ax8QC5j2gfbvTq/UyQODbhS4+zaoVaPCFRjoiV6W/wtp2bkoBa+LU30OLU2mCD147IBTY"
    "SfKE4U0kPj/y3bznKkLNhyUJX+49b219W6LWENErGtRxEwVo6Bk0EpizICZaxUZx8ZDkZy6mps6h6cqSSeGt5w4apakb"
    "hkL7MpQZ3MQudZfyoBlMKK3Uph5kKCakoZsgMTIOLoPUTtHsu7ml0ub8XZizmMrKEQRhTCVJ2WguSocgWUWcT3vClYw9"
    "tofUeI2sV+WPsF6QIASyyLUJoYtvpXVbQcTPqFMg161wVG8/sCd6/80GfUnWOnRitjgPtbw+nfKYYzFv/ctfo2oJcnoz"
    "UMtU7WCltnrLBMwlXmOGNYbU0KLI7aX7F4lywo3Gkw4mK21l1IthAedGFxec189I1y9VgY3YKrz16g2mfMHKoI1SQifC"
    "2tNNdUsnRD2+oDkaOSg4O1v+M4tC3JMfa7VO3s65PpXMVbQYh+dI4yCJz1M8Ld8ehCKmehoztnGtF7t7FabRI/bLsBlm"
    "eqmOkcT0BICAsPENtGkcYzEFlQgdmrhgTsRHycP5JTvD5bPqVrWdhzlXOFaAHVknjupBg9VYDvBHUbD1wlVCIVpj8IqJ"
    "0ic4ymIcwaDe7UkxteJCFVWTZapEys5q3AUE4DJVDJ3EEOnf1HClhHgDSkmfz4xOkoGZdOnhoGOClrIMmlwfQPyBoSvx"
    "jQrzhwgXrVFqtVwmvVXQjmEehAFLzBmGQPkQogH5ej10LiY7yM9gYtpI7mAKdTnhkXpbarLZilFsDHASUScJHBBX6wRP"
    "Vw6zHgz8qdryxSLe9i5uRKtBanqJSWC0L6HI+BVVUmE+JaB5Ci3tzait8nasa8ebnxXUIoDFtQOJCKee2KlRXwgxIGNM"
    "aasDJS/rIpP7YvBTVQeMH5zN60jeZD4ZnRRMGNBTpr/S7k0eXlYa96fjw9gNU5UYNwSGqJ8gs0t8F1/bNp8/a7ZaPL5x"
    "z+zvpTo174MKA5RACCPmphv46zQuKEG6AIuBqiFKWzBkkfuiFCi6hUNnH8KcAgKe0sjGH6SLibceX864hg2oOee8VLIl"
    "jpZguXsrRy650vdxBb1gSt0/CqfsvtzzyrZilI3QKgQ1gkmm9FAYqFGGYrOrNVlIlKwBsUc6SOkWHd7S1/LdNxaLi86N"
    "pUHiejZmYlH6GbDpI5DFoezcQoHZg1aOEGwzMsjCx86rBWREpxwxK81AdmKufAQ1IS3ZOgQQJwQHoEQOrkNEk3Csuve/"
    "52YMrFs/h3NIiT3ijMsXjxhoJNE2zDn4AHKrQHoj3HKjcVyp4+zQz1fnKATCNv7JjyZkujDhkll/W5A5fZREtrweEadG"
    "yMHELhfA8qhzaWUFLtFWPkjfakzzOIcOaHQYYAaAG7sqzdfIQrM3ZoBFrdhxL4dMopbJyeXIyJ2YhVuq8gpQ4Fnp0Zba"
    "8jjRXRElIhYzitOTrm8gWG/naHiTK0/okuDAxAHhfZtB/izh64unEcOQkZAx5iFC14WnexE7ZgX6R3+reRQzoT1J7TSF"
    "Qnsmwlke5MYxxgYYWSYVTmOcKO3BRrJi6fel7C+hwXs9lhHaD8neIU8rrZ3xjF4DHJIN1celzDvSVlaE0iL+ZbMfP378"
    "+PHjx48fP7/MzyclAxsYXt/321U/B/d3ecCbvrBfuHL/Xs7tH+3pAySyicC/AQwt6Fc="
)

_BITMAP = zlib.decompress(base64.b64decode(_BITMAP_B64))

HALF_WIDTH_RANGES: tuple[tuple[int, int], ...] = (
    (32, 126),
    (165, 165),
    (8194, 8194),
    (8254, 8254),
    (65377, 65439),
    (65512, 65512),
)
"""Code points that the ``HW`` CMap maps to half-width CIDs (231-325, 327-389, 8719)."""

_HALF_WIDTH = frozenset(u for a, b in HALF_WIDTH_RANGES for u in range(a, b + 1))
HALF_WIDTH_CHARS = frozenset(map(chr, _HALF_WIDTH))
"""The half-width characters themselves (for a character-by-character test)."""
HALF_WIDTH_RE = re.compile(
    "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in HALF_WIDTH_RANGES) + "]"
)
"""Matches one half-width character (for counting them at C speed)."""


def is_supported(char: str) -> bool:
    """True when ``char`` (one character) has a glyph in Adobe-Japan1 Supplement 2."""
    u = ord(char)
    return u < 0x10000 and bool(_BITMAP[u >> 3] >> (u & 7) & 1)


def is_half_width(char: str) -> bool:
    """True when ``char`` is drawn half as wide as a full-width character (500/1000 em)."""
    return ord(char) in _HALF_WIDTH
