"""Record linkage with Splink: the model, its training on synthetic extracts, and matching
incoming person records against the register (docs/exchange.md)."""
