"""Exchange with partner systems (docs/exchange.md): imports of partner extracts that lose
nothing, the same person recognised across agencies (record linkage with Splink), and
signed webhooks."""
