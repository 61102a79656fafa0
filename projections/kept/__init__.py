"""Read-side state kept in the ledger's own store: the case index and the kept rule results.

These are the only read-side modules that write (materialised views with tracking records,
DESIGN §6). Everything else in `projections` is a pure function of a case's events.
"""
