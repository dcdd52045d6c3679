"""Turn handlers: they translate Teams activities to core calls and core results to cards."""
