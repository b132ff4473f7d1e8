"""The report: report.html, one self-contained page built from a finished results folder.

:mod:`~sim.report.data` loads the folder (a run's or a comparison's) and refuses anything
unfinished; :mod:`~sim.report.sections` and :mod:`~sim.report.compare` turn its tables into
rows rounded for people (by :mod:`sim.format`) and charts (:mod:`~sim.report.figures`);
:mod:`~sim.report.text` writes the assumptions and the STRESS-DES description from the
manifest; :mod:`~sim.report.build` renders the templates. It never runs the model, so
``python run_sim.py report DIR`` can rebuild the page from the files alone at any time.
"""

__all__: list[str] = []
