"""`ledger report`: the review document of one case.

`build` makes the document once as a structure (`model`); `html`, `pdf` (the HTML printed by
headless Chromium), `docx` and `markdown` each render it.
"""
