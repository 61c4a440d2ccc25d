"""The return model: a market factor, sector factors and idiosyncratic noise, each a GARCH(1,1)
process with Student-t innovations, plus rare jumps.

    r[t, i] = beta_i * m[t] + gamma_i * s[t, sector(i)] + e[t, i] + jump[t, i]

GARCH gives volatility clustering (calm and stormy regimes, positive autocorrelation of squared
returns); Student-t innovations and jumps give fat tails; the shared factors give correlation
that is higher within a sector than across sectors. The recursion loops over *time* once with
every series (factors and symbols) updated together as one vector, so cost is O(T) numpy calls,
never a Python loop over symbols.

``scale[t]`` is the share of a day's variance that step ``t`` carries: 1 for daily bars;
for 1-minute bars an intraday U-shape that sums to one per session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ouroboros.data.synthetic.universe import SECTORS, Universe

FloatArray = npt.NDArray[np.float64]
TRADING_DAYS = 252


@dataclass(frozen=True, slots=True)
class ModelParams:
    """GARCH persistence (``alpha + beta`` < 1), tail thickness (Student-t ``t_dof``, shocks
    truncated at ``max_shock`` sigmas) and jumps (daily probability; normal size, capped at
    +-25 %)."""

    garch_alpha: float = 0.08
    garch_beta: float = 0.90
    t_dof: float = 4.0
    sector_vol: float = 0.12
    market_drift: float = 0.06
    jump_prob_per_day: float = 0.004
    jump_mean: float = -0.01
    jump_sd: float = 0.05
    max_shock: float = 5.0

    def __post_init__(self) -> None:
        if not (self.garch_alpha >= 0 and self.garch_beta >= 0):
            raise ValueError("GARCH coefficients must be >= 0")
        if self.garch_alpha + self.garch_beta >= 1:
            raise ValueError(
                f"GARCH alpha + beta must be < 1, was {self.garch_alpha + self.garch_beta}"
            )
        if self.t_dof <= 2:
            raise ValueError(f"t_dof must be > 2 for a finite variance, was {self.t_dof}")


@dataclass(frozen=True, slots=True)
class Returns:
    """Log returns per step and the standardised size of each move (|return| / its sigma)."""

    log_returns: FloatArray  # (T, N)
    shock: FloatArray  # (T, N), >= 0
    sigma: FloatArray  # (T, N) conditional standard deviation of the step's return
    regime: FloatArray  # (T, N) conditional variance over its long-run level (1 = normal)


def _garch(
    rng: np.random.Generator, daily_var: FloatArray, scale: FloatArray, p: ModelParams
) -> tuple[FloatArray, FloatArray]:
    """Simulate K GARCH(1,1) series over T steps: (returns, conditional variance), both (T, K).

    The recursion runs on de-seasonalised variance so intraday seasonality does not feed back.
    """
    steps, k = len(scale), len(daily_var)
    t = rng.standard_t(p.t_dof, size=(steps, k))
    # Truncated at max_shock sigmas: t(4) alone occasionally draws 20-sigma days, which no
    # listed stock's daily series shows once GARCH has already widened the variance.
    z = np.clip(t / np.sqrt(p.t_dof / (p.t_dof - 2.0)), -p.max_shock, p.max_shock)
    omega = daily_var * (1.0 - p.garch_alpha - p.garch_beta)
    h = np.empty((steps, k))
    eps = np.empty((steps, k))
    h_prev = daily_var.copy()
    u_prev = np.zeros(k)
    for step in range(steps):
        h_now = omega + p.garch_alpha * u_prev * u_prev + p.garch_beta * h_prev
        u = np.sqrt(h_now) * z[step]
        h[step] = h_now
        eps[step] = u
        h_prev, u_prev = h_now, u
    # Intraday: the daily recursion's variance is spread over the session's steps.
    root = np.sqrt(scale)[:, None]
    return eps * root, h * scale[:, None]


def simulate_returns(
    rng: np.random.Generator,
    universe: Universe,
    scale: FloatArray,
    params: ModelParams | None = None,
) -> Returns:
    """Factor-model log returns for every symbol of ``universe`` over ``len(scale)`` steps.

    With 1-minute steps the GARCH runs per step with the day's parameters, so volatility
    clusters within and across sessions.
    """
    p = params or ModelParams()
    n_sec = len(SECTORS)
    m_var = (universe.profile.market_vol**2) / TRADING_DAYS
    s_var = (p.sector_vol**2) / TRADING_DAYS
    i_var = (universe.idio_vol**2) / TRADING_DAYS
    daily_var = np.concatenate([[m_var], np.full(n_sec, s_var), i_var])
    eps, h = _garch(rng, daily_var, scale, p)
    market, sectors, idio = eps[:, :1], eps[:, 1 : 1 + n_sec], eps[:, 1 + n_sec :]
    beta, gamma = universe.beta, universe.sector_loading
    sec = universe.sector_index
    drift = (p.market_drift / TRADING_DAYS) * scale[:, None] * beta
    r = drift + beta * market + gamma * sectors[:, sec] + idio
    var = (beta**2) * h[:, :1] + (gamma**2) * h[:, 1 + sec] + h[:, 1 + n_sec :]
    jump_hit = rng.random(r.shape) < p.jump_prob_per_day * scale[:, None]
    jumps = np.clip(rng.normal(p.jump_mean, p.jump_sd, r.shape), -0.25, 0.25)
    r = r + np.where(jump_hit, jumps, 0.0)
    sigma = np.sqrt(var)
    long_run = (
        (beta**2) * daily_var[0] + (gamma**2) * daily_var[1 + sec] + daily_var[1 + n_sec :]
    ) * scale[:, None]
    return Returns(
        log_returns=r,
        shock=np.abs(r) / sigma,
        sigma=sigma,
        regime=var / long_run,
    )


def simulate_volume(
    rng: np.random.Generator,
    universe: Universe,
    returns: Returns,
    scale: FloatArray,
) -> FloatArray:
    """Share volume per step: the symbol's base level, higher in volatile regimes
    (volume ~ regime^0.5) and surging with the size of the move (x e^(0.35 |z|)), with
    log-normal noise; rounded to whole board lots, at least one lot per bar."""
    n_steps, n = returns.log_returns.shape
    noise = rng.normal(0.0, 0.35, (n_steps, n))
    surge = 0.35 * np.minimum(returns.shock, 8.0)
    level = universe.base_volume * scale[:, None]
    volume = level * np.exp(noise + surge + 0.5 * np.log(returns.regime) - 0.35)
    lot = float(universe.lot)
    return np.maximum(np.rint(volume / lot), 1.0) * lot
