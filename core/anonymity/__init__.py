"""The anonymity guarantee (docs privacy.md): thresholds, the release engine and its views.

Import from the submodules (``core.anonymity.release``, ``.view``, ``.thresholds``,
``.audit_input``); this package stays empty so ``core.thresholds`` can import the thresholds
without pulling in the engine.
"""
