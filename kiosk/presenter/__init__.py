"""The remote presenter mode: a guide logs in from a phone or laptop and drives the exhibit.

``passphrase`` (hashing), ``sessions`` (who is logged in), ``origin`` (what a request says about
where it came from), ``auth`` (who may send a command), ``holding`` (one presenter at a time),
``drawing`` (a presenter's remote drawing seat), ``recent_log``, ``status`` and ``feed`` (the
presenter's live events), ``routes`` and ``commands`` (HTTP), ``cli`` (``hash-passphrase``) and
``page`` (the page's files). The contract with the page: docs/presenter-api.md.
"""
