"""How often something may happen: at most so many in a sliding window of time. One
rule for the submissions anyone sends (``web.throttle``) and the past days' copies
requests build (``reading.as_of``)."""

import math


def seconds_until_under(newest_first, limit, window, now):
    """How many seconds until fewer than ``limit`` of the times ``newest_first`` (a
    queryset of datetimes within ``window`` before ``now``, newest first) lie within
    the window: at least 1 once ``limit`` do, 0 when fewer do. The oldest of the newest
    ``limit`` leaves it first."""
    times = list(newest_first[:limit])
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[-1] + window - now).total_seconds()))
