"""The local web app (``python run_sim.py app``): a front end for analysts, on their own machine.

``app.py`` is the Streamlit script; everything it decides is in plain modules beside it, so the
tests can check it without a browser: ``levers.py`` (the form fields, built from the scenario
schema, and the ``--set`` overrides they make), ``inputs.py`` (shipped scenarios, uploads in a
temporary folder, problems worded as ``validate`` words them), ``runs.py`` (a run or a
comparison through the same library calls and engine as the command line, and the zip of a
results folder) and ``views.py`` (the report's own sections, for the page).

Nothing here sends anything anywhere: the server binds to 127.0.0.1 and collects no usage
statistics (see ``sim/cli/webapp.py``).
"""
