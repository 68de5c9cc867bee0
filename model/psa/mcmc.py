"""Ensemble MCMC over declared priors, with the convergence evidence a posterior needs.

The posterior of k inputs is sampled by emcee's affine-invariant ensemble sampler (Goodman &
Weare 2010; Foreman-Mackey et al. 2013) with differential-evolution moves (ter Braak & Vrugt
2008). A non-negative input is sampled on the log scale (with its Jacobian): targets that are
products of inputs (participants × effect per participant = revenue) then lie on straight
ridges, which an affine-invariant sampler crosses as easily as a round posterior; a proposal
outside the prior's support has prior density 0 and is rejected.

The log-likelihood is one *batch* function: it takes an (n, k) array of parameter sets (on
the inputs' own scale) and returns n log-likelihoods, so that a vectorised model can price a
whole ensemble in one call.

Several independent runs (their own seeds, their own starting ensembles) are pooled, and ArviZ
judges them (rank-normalised split R-hat, bulk and tail ESS, MCSE; Vehtari et al. 2021), each
walker of each run counted as one chain.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.psa.inputs import support
from model.uncertainty import ParamDist

RHAT_MAX = 1.01     # Vehtari et al. 2021: use the sample only if R-hat < 1.01
ESS_MIN = 400       # Vehtari et al. 2021: bulk ESS above 100 per chain for 4 chains, i.e. 400

BatchLogLik = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Prior:
    """The declared prior of each free input, and the map to and from the unconstrained space."""

    names: list[str]
    dists: list[ParamDist]
    _frozen: list[Any] = field(init=False, repr=False, compare=False)
    _bounds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # built once: the sampler asks for the density of every proposal (tens of thousands of
        # batches), and scipy's frozen distributions cost more to make than to evaluate
        object.__setattr__(self, "_frozen", [d.frozen() for d in self.dists])
        object.__setattr__(self, "_bounds", np.array([support(d) for d in self.dists], dtype=float)
                           .reshape(len(self.dists), 2))

    @property
    def k(self) -> int:
        return len(self.names)

    def bounds(self) -> np.ndarray:
        return self._bounds.copy()

    def _logged(self) -> np.ndarray:
        """Inputs sampled on the log scale: every input whose support is non-negative."""
        return self._bounds[:, 0] >= 0

    def to_free(self, x: np.ndarray) -> np.ndarray:
        """Parameter values → sampling space (the log of a non-negative input, else itself)."""
        y = np.array(x, dtype=float, copy=True)
        logged = self._logged()
        with np.errstate(divide="ignore"):
            y[..., logged] = np.log(y[..., logged])
        return y

    def from_free(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sampling space → parameter values, and log |dx/dy| summed over the inputs."""
        x = np.array(y, dtype=float, copy=True)
        logged = self._logged()
        with np.errstate(over="ignore"):  # a far proposal becomes inf: outside every support
            x[..., logged] = np.exp(y[..., logged])
        return x, y[..., logged].sum(axis=-1)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """Log prior density of each row (independent inputs); −inf outside the support."""
        out = np.zeros(x.shape[0])
        with np.errstate(divide="ignore"):
            for j, d in enumerate(self._frozen):
                out += d.logpdf(x[:, j])
        return np.where(np.isnan(out), -np.inf, out)

    def sd(self) -> np.ndarray:
        return np.array([d.moments()[1] for d in self.dists], dtype=float)

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws from the prior (inverse CDF of uniforms strictly inside (0, 1))."""
        u = np.clip(rng.random((n, self.k)), 1e-9, 1 - 1e-9)
        return np.column_stack([d.frozen().ppf(u[:, j]) for j, d in enumerate(self.dists)])


def log_posterior(prior: Prior, loglik: BatchLogLik) -> Callable[[np.ndarray], np.ndarray]:
    """The batch log density emcee samples: on unconstrained rows, prior × likelihood × Jacobian."""

    def f(y: np.ndarray) -> np.ndarray:
        y = np.atleast_2d(y)
        x, logjac = prior.from_free(y)
        lp = prior.logpdf(x) + logjac
        out = np.full(len(y), -np.inf)
        ok = np.isfinite(lp)
        if ok.any():
            ll = np.asarray(loglik(x[ok]), dtype=float)
            out[ok] = np.where(np.isfinite(ll), lp[ok] + ll, -np.inf)
        return out

    return f


def starting_ensemble(prior: Prior, loglik: BatchLogLik, walkers: int, rng: np.random.Generator,
                      pool: int) -> np.ndarray:
    """`walkers` distinct starting points: `pool` prior draws, picked without replacement in
    proportion to their likelihood (a prior-importance start: spread like the prior where the
    targets allow, so that runs from different seeds start apart)."""
    x = prior.draw(max(pool, walkers), rng)
    ll = np.asarray(loglik(x), dtype=float)
    ok = np.isfinite(ll)
    if ok.sum() < walkers:
        raise ValueError(f"only {int(ok.sum())} of {len(x)} prior draws give a finite likelihood; "
                         f"{walkers} walkers need more")
    w = np.where(ok, np.exp(ll - ll[ok].max()), 0.0)
    w = np.maximum(w, 1e-300 * ok)     # every finite draw keeps a chance, so the pick is possible
    pick = rng.choice(len(x), size=walkers, replace=False, p=w / w.sum())
    return prior.to_free(x[pick])


def run_ensemble(prior: Prior, loglik: BatchLogLik, walkers: int, steps: int, seed: int,
                 pool: int, on_count: Callable[[int], Any] | None = None) -> np.ndarray:
    """One emcee run: (steps, walkers, k) parameter values (on the inputs' own scale).
    `on_count(n)` hears of every n parameter sets tried (start pool, then the steps' proposals,
    those outside the prior's support included), so a progress bar reaches its total."""
    import emcee

    count = on_count or (lambda n: None)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 19]))
    start = starting_ensemble(prior, loglik, walkers, rng, pool)
    count(max(pool, walkers))
    post = log_posterior(prior, loglik)

    def counted(y: np.ndarray) -> np.ndarray:
        out = post(y)
        count(len(np.atleast_2d(y)))
        return out

    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(walkers, prior.k, counted, vectorize=True, moves=moves)
    sampler.random_state = np.random.RandomState(seed % 2**32).get_state()
    # the start's log density computed here, uncounted (its sets were counted in the pool), and
    # given to emcee, which would otherwise evaluate and count them as a step's proposals
    sampler.run_mcmc(emcee.State(start, log_prob=post(start)), steps, progress=False)
    x, _ = prior.from_free(sampler.get_chain())
    return x


def diagnostics(chains: np.ndarray, names: list[str]) -> pd.DataFrame:
    """ArviZ's summary of (chains, draws, k) values: mean, sd, MCSE, bulk/tail ESS, R-hat."""
    az = arviz()
    data = az.convert_to_dataset({f"p{j}": chains[:, :, j] for j in range(len(names))})
    s = az.summary(data, kind="all", round_to="none", stat_focus="mean")
    s.index = names
    return s.rename(columns={"mcse_mean": "mcse", "ess_bulk": "ess_bulk", "r_hat": "r_hat"})


def converged(diag: pd.DataFrame) -> bool:
    """Every input: R-hat ≤ 1.01 and bulk ESS ≥ 400."""
    return bool((diag["r_hat"] <= RHAT_MAX).all() and (diag["ess_bulk"] >= ESS_MIN).all())


def arviz():
    """ArviZ, imported without its import-time notice about a coming refactor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz as az
    return az


def rank_plot(chains: np.ndarray, names: list[str], path: str) -> None:
    """Trace (left) and rank histograms per run (right) of each input, as a PNG at `path`:
    well-mixed runs give flat, overlapping rank histograms (Vehtari et al. 2021)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import rankdata

    k = len(names)
    runs = chains.shape[0]
    fig, axes = plt.subplots(k, 2, figsize=(10, 1.8 * k + 0.6), squeeze=False)
    for j, name in enumerate(names):
        x = chains[:, :, :, j]                      # (runs, steps, walkers)
        ax = axes[j, 0]
        for r in range(runs):
            ax.plot(x[r].mean(axis=1), lw=0.8, label=f"run {r + 1}: walkers' mean")
        ax.set_title(name, fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
        ranks = rankdata(x.reshape(-1)).reshape(x.shape) / x.size
        ax2 = axes[j, 1]
        for r in range(runs):
            ax2.hist(ranks[r].reshape(-1), bins=20, histtype="step", density=True,
                     label=f"run {r + 1}")
        ax2.axhline(1.0, color="grey", lw=0.5)
        ax2.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=6)
    axes[0, 1].legend(fontsize=6)
    axes[-1, 0].set_xlabel("step after burn-in (trace of the walkers' mean)", fontsize=8)
    axes[-1, 1].set_xlabel("rank among all kept draws (flat = mixed)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
