"""What is measured: windows x regions x run x concurrency, one ``Cell`` per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ONE_REGION = ("us-east-1",)
FOUR_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
#: The tool's default --concurrency (patchsetup/fields.py DEFAULT_CONCURRENCY).
DEFAULT = "default"
#: Its value, for the notes (kept in step by hand: the benchmark imports no patchsetup).
DEFAULT_CONCURRENCY = 32
#: Window flags per window count: one window per week x day x hour.
WINDOW_FLAGS: dict[int, tuple[str, ...]] = {
    8: (),  # the defaults: -w 1,2 -d 2,3 -t 3,4
    40: ("-w", "1,2,3,4,5", "-d", "1,2,3,4", "-t", "3,4"),
}


def window_flags(count: int) -> tuple[str, ...]:
    """The -w/-d/-t flags that make ``count`` windows (8 are the tool's defaults)."""
    if count not in WINDOW_FLAGS:
        raise ValueError(f"no window flags for {count} windows (known: {sorted(WINDOW_FLAGS)})")
    return WINDOW_FLAGS[count]


#: The rate-limit model (the fault proxy's --throttle): AWS does not publish the request
#: rates of SSM's maintenance-window and patch-baseline APIs, so this is a model: a token
#: bucket per operation and account+region, RATE requests a second, a burst of BURST.
RATE, BURST = 5.0, 10.0
RATE_LIMIT = f"default={RATE:g}/{BURST:g}"


@dataclass(frozen=True)
class Cell:
    windows: int
    regions: tuple[str, ...]
    run: str  # "fresh" or "re-run"
    concurrency: str  # DEFAULT or a number
    throttle: str = ""  # the proxy's rate limits for the run ("": none)

    def args(self) -> list[str]:
        args = ["-r", ",".join(self.regions), *window_flags(self.windows)]
        if self.concurrency != DEFAULT:
            args += ["--concurrency", self.concurrency]
        return [*args, "--output", "json", "--yes"]

    @property
    def label(self) -> str:
        return (
            f"{self.windows} windows, {len(self.regions)} region(s), {self.run}, "
            f"concurrency {self.concurrency}"
            + (f", rate-limited {self.throttle}" if self.throttle else "")
        )


def cells(
    windows: Sequence[int], regions: Sequence[int], concurrencies: Sequence[str] = (DEFAULT, "1")
) -> list[tuple[int, tuple[str, ...], str]]:
    scenarios: list[tuple[int, tuple[str, ...], str]] = []
    for count in windows:
        for n in regions:
            for conc in concurrencies:
                scenarios.append((count, ONE_REGION if n == 1 else FOUR_REGIONS, conc))
    return scenarios
