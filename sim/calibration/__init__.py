"""Stage 6: fit unknown scenario parameters to the figures a force has published.

``fit_table`` sets each observed figure beside what the simulation gives; ``fitting`` searches
parameter ranges under common random numbers; ``study`` is a whole ``calibrate`` (checks, fit,
folder); ``writing`` and ``scenario_writer`` write the fit and a calibrated copy of the
scenario; ``figures`` draws observed against simulated.
"""
