"""Stage 5: statistics over finished replications: pure functions of the records.

Daily tables in (``sim.records``), tidy pandas frames and numbers out: trajectories, outcomes
per replication, means with confidence intervals, paired comparisons. Nothing here imports
SimPy or the model, or touches a file.
"""
