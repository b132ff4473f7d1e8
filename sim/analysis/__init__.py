"""Analysis: what replications recorded, turned into tidy tables and statistics.

Pure functions from :mod:`sim.records` (the daily tables a replication produced) to pandas
frames and numbers: the tidy daily trajectories (:mod:`~sim.analysis.metrics`), one number per
replication for each question (:mod:`~sim.analysis.outcomes`), means, confidence intervals and
percentiles (:mod:`~sim.analysis.summary`) and paired comparisons of variants
(:mod:`~sim.analysis.comparison`). It imports neither SimPy nor the model and writes no files,
so every statistic can be checked on a hand-made table, and the studies and the report share
one definition of each.
"""

__all__: list[str] = []
