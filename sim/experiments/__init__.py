"""Stage 4: many replications of one or many scenarios, anywhere, resumably.

``batch.py`` runs replications through an executor (``executors.py``: serial, local processes
or a Dask cluster) and keeps each finished one in a replication store (``store.py``) so an
interrupted batch resumes; ``precision.py`` adds replications until a confidence interval is
narrow enough; ``variants.py`` builds the scenarios a comparison runs side by side.
"""
