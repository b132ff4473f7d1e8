"""Probability distributions for durations and delays, as small validated objects.

A scenario writes a duration either as a plain number (a fixed value) or as a mapping with a
``dist`` key, e.g. ``{dist: triangular, low: 0.5, mode: 1.0, high: 2.0}``. Each distribution
checks its parameters once when the scenario is loaded, knows its ``mean`` (used in docs and
capacity estimates) and draws with ``sample(rng)`` from the generator it is given, so the
caller decides which random stream a draw comes from.

Every draw uses exactly one uniform ``rng.random()``, by inversion of the distribution
function (a fixed value uses one up and ignores it). So any generator with a ``random()``
method will do (a numpy ``Generator``, or the standard library's ``random.Random`` that
offender streams use), and changing a duration from fixed to random, or from one shape to
another, leaves every later number of the stream where it was: common random numbers stay in
step across such variants.
"""

from __future__ import annotations

import math
from functools import cached_property
from statistics import NormalDist
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "Distribution",
    "UniformSource",
    "Exponential",
    "Fixed",
    "LogNormal",
    "Triangular",
    "Uniform",
]


class UniformSource(Protocol):
    """Anything that draws a uniform number in [0, 1): numpy Generators and random.Random."""

    def random(self) -> float: ...


_STANDARD_NORMAL = NormalDist()
MAX_VALUE = 100_000.0  # largest parameter of any distribution (hours or days)
MAX_LOGNORMAL_CV = 100.0  # sd / mean; beyond it draws span dozens of orders of magnitude


class _Dist(BaseModel):
    # No infinities or NaNs, and no value beyond MAX_VALUE: a duration of more than 100,000
    # hours (11 years) or days is a typing slip, not an estimate.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: UniformSource) -> float:  # pragma: no cover - overridden
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value (a deterministic duration)."""

    dist: Literal["fixed"] = Field("fixed", description="'fixed' (may be left out).")
    value: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="The value every draw returns.",
        json_schema_extra={"unit": "unit of the field"},
    )

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: UniformSource) -> float:
        rng.random()  # used up and ignored: see the module docstring
        return self.value


class Uniform(_Dist):
    """Any value between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"] = Field(description="'uniform'.")
    low: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="Smallest value.",
        json_schema_extra={"unit": "unit of the field"},
    )
    high: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="Largest value (at least low).",
        json_schema_extra={"unit": "unit of the field"},
    )

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: UniformSource) -> float:
        return self.low + (self.high - self.low) * rng.random()


class Triangular(_Dist):
    """Three-point estimate (least, most likely, most): the usual way to elicit a duration."""

    dist: Literal["triangular"] = Field(description="'triangular'.")
    low: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="Least value.",
        json_schema_extra={"unit": "unit of the field"},
    )
    mode: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="Most likely value (low <= mode <= high).",
        json_schema_extra={"unit": "unit of the field"},
    )
    high: float = Field(
        ge=0,
        le=MAX_VALUE,
        description="Most value.",
        json_schema_extra={"unit": "unit of the field"},
    )

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"need low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @cached_property
    def _inverse(self) -> tuple[float, float, float, float, float]:
        """Constants of the inverse distribution function, worked out once (draws are hot)."""
        low, mode, high = self.low, self.mode, self.high
        if high == low:
            return low, high, 2.0, 0.0, 0.0  # every u < 2: always low
        cut = (mode - low) / (high - low)
        return low, high, cut, (high - low) * (mode - low), (high - low) * (high - mode)

    def sample(self, rng: UniformSource) -> float:
        # Inverse CDF so that one uniform draw makes one sample (keeps streams in step).
        u = rng.random()
        low, high, cut, below, above = self._inverse
        if u < cut:
            return low + math.sqrt(u * below)
        return high - math.sqrt((1 - u) * above)


class Exponential(_Dist):
    """Memoryless, with the given mean (used for queueing-theory checks)."""

    dist: Literal["exponential"] = Field(description="'exponential'.")
    mean_value: float = Field(
        gt=0,
        le=MAX_VALUE,
        alias="mean",
        description="Mean value (over 0).",
        json_schema_extra={"unit": "unit of the field"},
    )

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )

    @property
    def mean(self) -> float:
        return self.mean_value

    def sample(self, rng: UniformSource) -> float:
        return -self.mean_value * math.log(1.0 - rng.random())


class LogNormal(_Dist):
    """Right-skewed, given by its own mean and standard deviation (not those of the log)."""

    dist: Literal["lognormal"] = Field(description="'lognormal'.")
    mean_value: float = Field(
        gt=0,
        le=MAX_VALUE,
        alias="mean",
        description="Mean of the values themselves (not of their logarithm).",
        json_schema_extra={"unit": "unit of the field"},
    )
    sd: float = Field(
        gt=0,
        le=MAX_VALUE,
        description="Standard deviation of the values themselves (not of their logarithm).",
        json_schema_extra={"unit": "unit of the field"},
    )

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _spread_is_sane(self) -> LogNormal:
        if self.sd > MAX_LOGNORMAL_CV * self.mean_value:
            raise ValueError(
                f"sd ({self.sd:g}) must be at most {MAX_LOGNORMAL_CV:g} x mean "
                f"({self.mean_value:g})"
            )
        return self

    @property
    def mean(self) -> float:
        return self.mean_value

    def sample(self, rng: UniformSource) -> float:
        sigma2 = math.log(1 + (self.sd / self.mean_value) ** 2)
        mu = math.log(self.mean_value) - sigma2 / 2
        u = rng.random() or 0.5**53  # inv_cdf needs 0 < u < 1; random() can return 0.0
        return math.exp(mu + math.sqrt(sigma2) * _STANDARD_NORMAL.inv_cdf(u))


def _number_means_fixed(value: Any) -> Any:
    """Let a scenario write ``2.5`` for ``{dist: fixed, value: 2.5}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and "dist" not in value and set(value) == {"value"}:
        return {"dist": "fixed", **value}
    return value


_Union = Annotated[
    Fixed | Uniform | Triangular | Exponential | LogNormal,
    Field(discriminator="dist"),
]

# A field annotated ``Distribution`` accepts a number or any of the mappings above;
# ``json_schema_input_type`` says so in the JSON Schema (it changes nothing in validation).
Distribution = Annotated[
    _Union,
    BeforeValidator(
        _number_means_fixed,
        json_schema_input_type=Annotated[float, Field(ge=0)] | _Union,
    ),
]
