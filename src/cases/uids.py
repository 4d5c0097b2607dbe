"""Record uids: time-ordered UUIDs (version 7, RFC 9562).

A uid is random enough to be unique across every database that will ever be
merged (62 random bits per millisecond and sub-millisecond step), and it starts
with its creation time. Records made one after another therefore get ascending
uids, so every unique uid index grows at its right edge instead of at random
places, and an export (in id order) imports with its keys already near sorted
order, which makes building the uid indexes of an import much cheaper than
over random (version 4) uids (bench/README.md has the figures).

The price is that a uid shows when its record was created, to the millisecond.
"""

from __future__ import annotations

import secrets
import threading
import time

_SUB_MS_STEPS = 1 << 12  # rand_a: 12 bits, used as sub-millisecond precision
_lock = threading.Lock()
_last_stamp = 0  # (milliseconds << 12) | step of the last uid made here


def uuid7(milliseconds: int, step: int, random_bits: int) -> str:
    """The UUID7 text for a Unix time in MILLISECONDS, a 12-bit sub-millisecond
    STEP and 62 RANDOM_BITS."""
    value = (
        (milliseconds & (1 << 48) - 1) << 80
        | 0x7 << 76  # version
        | (step & _SUB_MS_STEPS - 1) << 64
        | 0b10 << 62  # variant
        | random_bits & (1 << 62) - 1
    )
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_uid() -> str:
    """A fresh record uid, later than every uid made before it in this process.

    The 12 bits after the millisecond hold the fraction of the millisecond (RFC
    9562, method 3); two uids in the same step take the next step, so uids made
    here never go backwards even if the clock does.
    """
    global _last_stamp
    milliseconds, nanoseconds = divmod(time.time_ns(), 1_000_000)
    stamp = milliseconds << 12 | nanoseconds * _SUB_MS_STEPS // 1_000_000
    with _lock:
        stamp = max(stamp, _last_stamp + 1)
        _last_stamp = stamp
    return uuid7(stamp >> 12, stamp, secrets.randbits(62))
