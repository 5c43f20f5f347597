"""Views counted in Redis: one store shared by every app process.

Keys, under a prefix:
- ``b:<hour>``: a sorted set per UTC hour, item id → views; expires after
  KEEP_BUCKETS.
- ``t:today``, ``t:week``: running totals of the windows, kept like the
  database's: views are added as they arrive, and an hour's bucket is
  subtracted (a weighted union) when the hour leaves the window.
- ``x:today``, ``x:week``: the hour before which a total has been aged.
- ``s:<hour>``: the digests counted in that hour, for "once per client, item
  and hour"; expires after two hours.
- ``k:<day>``: the day's random key for hashing clients; expires after two days.

Recording and ageing run as Lua scripts, so that each is atomic whatever the
number of app processes.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import redis

from dateline.popularity.counters.base import ViewCounter
from dateline.popularity.windows import KEEP_BUCKETS, Window, now_weights

if TYPE_CHECKING:
    from datetime import date, datetime

    from dateline.popularity.counters.base import View

TIMEOUT_SECONDS = 0.5
SEEN_SECONDS = 2 * 3600
KEY_SECONDS = 2 * 86_400
# Keys unlinked at a time by ``clear``.
CLEAR_BATCH = 500

# KEYS: none (one Redis, not a cluster). ARGV: prefix, bucket seconds to
# keep, the first hour of Today and of This week (epoch seconds), then
# triples of digest, item id, hour.
_AGE = """
local p = ARGV[1]
local function age(window, first)
  local total, mark = p .. 't:' .. window, p .. 'x:' .. window
  local done = tonumber(redis.call('GET', mark) or first)
  while done < first do
    local bucket = p .. 'b:' .. done
    if redis.call('EXISTS', bucket) == 1 then
      redis.call('ZUNIONSTORE', total, 2, total, bucket, 'WEIGHTS', 1, -1)
    end
    done = done + 3600
  end
  redis.call('ZREMRANGEBYSCORE', total, '-inf', 0)
  redis.call('SET', mark, first)
end
age('today', tonumber(ARGV[3]))
age('week', tonumber(ARGV[4]))
"""

_RECORD = (
    _AGE
    + """
local keep, today, week = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local hours = {}
for i = 5, #ARGV, 3 do
  local digest, item, hour = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if redis.call('SADD', p .. 's:' .. hour, digest) == 1 then
    hours[hour] = true
    redis.call('ZINCRBY', p .. 'b:' .. hour, 1, item)
    if hour >= today then redis.call('ZINCRBY', p .. 't:today', 1, item) end
    if hour >= week then redis.call('ZINCRBY', p .. 't:week', 1, item) end
  end
end
for hour in pairs(hours) do
  redis.call('EXPIRE', p .. 's:' .. hour, {seen})
  redis.call('EXPIRE', p .. 'b:' .. hour, keep)
end
""".replace("{seen}", str(SEEN_SECONDS))
)

# ARGV: prefix, the two buckets of Now, the previous one's weight, limit.
_NOW = """
local p = ARGV[1]
local scratch = p .. 'now:' .. ARGV[5]
redis.call('ZUNIONSTORE', scratch, 2, p .. 'b:' .. ARGV[2], p .. 'b:' .. ARGV[3],
  'WEIGHTS', 1, ARGV[4])
local top = redis.call('ZREVRANGEBYSCORE', scratch, '+inf', '(0', 'WITHSCORES',
  'LIMIT', 0, tonumber(ARGV[6]))
redis.call('DEL', scratch)
return top
"""


def _epoch(hour: datetime) -> int:
    return int(hour.timestamp())


class RedisViewCounter(ViewCounter):
    failures = (redis.RedisError, OSError)

    def __init__(
        self, url: str, *, prefix: str = "dateline:views:", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
        )
        self._age = self.client.register_script(_AGE)
        self._record = self.client.register_script(_RECORD)
        self._now = self.client.register_script(_NOW)

    def is_first_view(self, digest: str, hour: datetime) -> bool:
        return True  # decided in Redis, across processes, when written

    def load_daily_key(self, day: date) -> bytes:
        name = f"{self.prefix}k:{day.isoformat()}"
        self.client.set(name, secrets.token_bytes(32), nx=True, ex=KEY_SECONDS)
        key = self.client.get(name)
        if not isinstance(key, bytes):
            raise redis.RedisError(f"{name} vanished as it was read")
        return key

    def _windows(self, now: datetime) -> list[Any]:
        return [
            self.prefix,
            int(KEEP_BUCKETS.total_seconds()),
            _epoch(Window.TODAY.first_bucket(now)),
            _epoch(Window.WEEK.first_bucket(now)),
        ]

    def age_totals(self, now: datetime) -> None:
        self._age(args=self._windows(now))

    def write(self, views: list[View], *, now: datetime) -> None:
        arguments = self._windows(now)
        for view in views:
            arguments += [view.digest, view.article_id, _epoch(view.hour)]
        self._record(args=arguments)

    def top(
        self, window: Window, *, now: datetime, limit: int
    ) -> list[tuple[int, float]]:
        if window.is_totalled:
            rows: list[tuple[bytes, float]] = self.client.zrevrangebyscore(  # type: ignore[assignment]
                f"{self.prefix}t:{window.slug}",
                "+inf",
                "(0",
                start=0,
                num=limit,
                withscores=True,
            )
            pairs = [(int(member), float(score)) for member, score in rows]
        else:
            (current, _), (previous, weight) = now_weights(now)
            flat = self._now(
                args=[
                    self.prefix,
                    _epoch(current),
                    _epoch(previous),
                    repr(weight),
                    secrets.token_hex(8),
                    limit,
                ]
            )
            pairs = [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]
        # Redis breaks ties by member name; recency is the caller's tie-break.
        return sorted(pairs, key=lambda pair: (-pair[1], -pair[0]))

    def clear(self) -> None:
        # In batches, each unlinked (freed by Redis in the background): a
        # week of buckets and digests in one DEL outlasted the client's
        # socket timeout on a loaded machine.
        batch: list[bytes] = []
        for name in self.client.scan_iter(match=f"{self.prefix}*", count=1000):
            batch.append(name)
            if len(batch) == CLEAR_BATCH:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)
        self._aged_to = None

    # --- Backups (dateline backup / restore) ------------------------------------

    def export_counts(self) -> dict[str, Any]:
        """The counters as JSON-ready data: the hourly buckets, the running
        totals and their ageing marks, each with the time it had left to
        live. Not the seen digests (two hours of "once per client") nor the
        day's hashing key, which are meant to vanish."""
        keys: list[dict[str, Any]] = []
        for pattern in ("b:*", "t:*", "x:*"):
            for raw in sorted(self.client.scan_iter(match=self.prefix + pattern)):
                name = raw.decode()
                ttl_ms = int(self.client.pttl(name))
                entry: dict[str, Any] = {
                    "name": name.removeprefix(self.prefix),
                    "ttl_ms": ttl_ms if ttl_ms > 0 else None,
                }
                if pattern == "x:*":
                    value = self.client.get(name)
                    if value is None:
                        continue  # expired between the scan and the read
                    entry["value"] = value.decode()  # type: ignore[union-attr]
                else:
                    rows: list[tuple[bytes, float]] = self.client.zrange(  # type: ignore[assignment]
                        name, 0, -1, withscores=True
                    )
                    if not rows:
                        continue
                    entry["members"] = [[m.decode(), score] for m, score in rows]
                keys.append(entry)
        return {"prefix": self.prefix, "keys": keys}

    def import_counts(self, data: dict[str, Any]) -> int:
        """Replace the counters with exported ones, in one transaction;
        returns the number of keys written. Each key lives on for the time
        it had left when exported, so an hour's bucket is still there when
        its hour leaves a window and is subtracted from the total."""
        pipe = self.client.pipeline(transaction=True)
        for pattern in ("b:*", "t:*", "x:*"):
            for name in self.client.scan_iter(match=self.prefix + pattern):
                pipe.delete(name)
        written = 0
        for entry in data["keys"]:
            suffix = str(entry["name"])
            if not suffix.startswith(("b:", "t:", "x:")):
                raise ValueError(f"not a counter key: {suffix!r}")
            name = self.prefix + suffix
            if "value" in entry:
                pipe.set(name, str(entry["value"]))
            else:
                pipe.zadd(
                    name,
                    {str(member): float(score) for member, score in entry["members"]},
                )
            ttl_ms = entry.get("ttl_ms")
            if ttl_ms:
                pipe.pexpire(name, int(ttl_ms))
            written += 1
        pipe.execute()
        self._aged_to = None
        return written
