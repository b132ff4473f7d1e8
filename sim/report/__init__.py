"""Stage 7: report.html, one self-contained page built from a finished results folder.

``build`` assembles the page from ``data`` (tables read from the folder), ``sections``,
``compare``, ``text`` (the words, assumptions and model description) and ``figures``;
``format`` rounds numbers for people. The report never runs the model.
"""
