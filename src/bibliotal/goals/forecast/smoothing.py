"""Holt's damped-trend exponential smoothing of the period ratios."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bibliotal.goals.forecast.constants import (
    ALPHAS,
    BETAS,
    DAMPING,
    DEFAULT_NOISE,
    HORIZON,
    NOISE_PRIOR_PERIODS,
    TREND_GAIN,
)


@dataclass
class Fit:
    level: float
    trend: float
    alpha: float
    beta: float
    noise: float
    observations: int


def smooth_ratios(ratios: list[float], granularity: str, *, trend: bool = True) -> Fit:
    """Holt's damped-trend exponential smoothing on the period ratios. With a few months of
    periods the smoothing is chosen by how well it forecast the next two months from every
    period so far (a trend only where it did clearly better than none); with fewer, by the
    smallest penalised one-step error, without a trend. ``trend`` False leaves the trend out
    (without a seasonal profile a season looks like a trend; after a long closure a reopening
    looks like one)."""
    allow_trend = trend
    n = len(ratios)
    if n == 0:
        return Fit(0.0, 0.0, 1.0, 0.0, DEFAULT_NOISE[granularity], 0)
    mean = sum(ratios) / n
    if n < 4 or mean <= 0:
        return Fit(mean, 0.0, 1.0 / max(n, 1), 0.0, DEFAULT_NOISE[granularity], n)
    phi = DAMPING[granularity]
    horizon = HORIZON[granularity]
    start = sum(ratios[: min(4, n)]) / min(4, n)
    ahead = n >= 2 * horizon
    candidates = [(a, 0.0) for a in ALPHAS]
    if allow_trend and ahead:
        candidates += [(a, b) for a in ALPHAS for b in BETAS if b <= a]
    # The mean damped multiplier of the trend over the next ``h`` periods, h = 1 … horizon.
    multiplier = {}
    for h in range(1, horizon + 1):
        steps = [sum(phi**i for i in range(1, k + 1)) for k in range(1, h + 1)]
        multiplier[h] = sum(steps) / h
    scored = []
    for alpha, beta in candidates:
        level, slope, sse, ahead_sse = start, 0.0, 0.0, 0.0
        for t, ratio in enumerate(ratios):
            predicted = level + phi * slope
            error = ratio - predicted
            sse += error**2
            level = predicted + alpha * error
            slope = phi * slope + beta * error
            h = min(horizon, n - 1 - t)
            if ahead and t >= horizon - 1 and h >= 1:
                coming = sum(ratios[t + 1 : t + 1 + h]) / h
                ahead_sse += (coming - level - slope * multiplier[h]) ** 2
        if level <= 0 and beta > 0:
            continue  # a trend that has run the level below zero forecasts nothing
        parameters = 2 if beta == 0 else 4
        score = ahead_sse if ahead else n * math.log(max(sse / n / mean**2, 1e-12)) + 2 * parameters
        scored.append((score, alpha, beta, level, slope, sse, parameters))
    flat = min((c for c in scored if c[2] == 0), key=lambda c: c[0])
    trended = [c for c in scored if c[2] > 0]
    best = flat
    if trended:
        sloped = min(trended, key=lambda c: c[0])
        if sloped[0] < TREND_GAIN * flat[0]:
            best = sloped
    _score, alpha, beta, level, slope, sse, parameters = best
    # The noise relative to the level the forecast goes on from (not the year's mean ratio, which
    # weeks of nothing before a reopening would make small and the noise endless).
    noise = math.sqrt(sse / max(n - parameters / 2, 1)) / max(level, mean * 0.5)
    # Few periods say little about the noise: it leans on a typical noise, worth three periods.
    noise = math.sqrt(
        (n * noise**2 + NOISE_PRIOR_PERIODS * DEFAULT_NOISE[granularity] ** 2)
        / (n + NOISE_PRIOR_PERIODS)
    )
    return Fit(level, slope, alpha, beta, noise, n)
