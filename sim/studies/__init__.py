"""Stage 6: one module per question a user asks, each writing its own results folder.

``run`` (replications of one scenario), ``compare`` (variants under common random numbers),
``sweep`` (one parameter or a grid), ``tornado`` (each parameter +-X%), ``sensitivity``
(SALib Morris and Sobol); ``figures`` and ``backlog_figure`` draw their charts from tables.
"""
