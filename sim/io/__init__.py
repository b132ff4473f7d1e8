"""Stage 8: writing results: folders that say whose they are, manifests, atomic writes.

``folder`` decides whether a results folder may be written (and what in it is complete);
``files`` writes every file atomically and builds the manifest.
"""
